package dev.rollgate.cli.coderefs;

import dev.rollgate.cli.common.CliFailure;
import dev.rollgate.cli.common.ExitCodes;
import java.io.IOException;
import java.lang.invoke.MethodHandles;
import java.lang.invoke.VarHandle;
import java.nio.ByteBuffer;
import java.nio.ByteOrder;
import java.nio.channels.FileChannel;
import java.nio.charset.StandardCharsets;
import java.nio.file.LinkOption;
import java.nio.file.Path;
import java.nio.file.StandardOpenOption;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.Collection;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.TreeMap;
import java.util.concurrent.Callable;
import java.util.concurrent.ExecutionException;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.Future;
import java.util.concurrent.atomic.AtomicInteger;
import java.util.regex.Matcher;
import java.util.regex.Pattern;

/**
 * Finds flag keys in source files. A key counts where it is a whole string literal ({@code "key"},
 * {@code 'key'} or {@code `key`}), never as part of another word: every quoted piece of a line is
 * looked up in one table of all keys, so a file costs a pass over its bytes however many flags
 * there are. A literal that no flag has counts as an unknown key when it is the first argument of
 * an evaluation call ({@link CallSites}).
 */
public final class CodeScanner {
  /** Files with a NUL byte in their first 8 KiB are binary, as git decides. */
  private static final int BINARY_PROBE = 8 * 1024;

  /** Longer literals are prose or data, not keys that no flag has. */
  private static final int MAX_UNKNOWN_KEY = 256;

  private final KeyTable keys;
  private final CallSites calls;
  private final long maxFileBytes;
  private final int threads;

  /** The scanner of {@code flagKeys}, reading files of at most {@code maxFileBytes}. */
  public CodeScanner(Collection<String> flagKeys, CallSites calls, long maxFileBytes) {
    this.keys = new KeyTable(flagKeys);
    this.calls = calls;
    this.maxFileBytes = maxFileBytes;
    // Twice the cores: a thread waiting for the disk leaves its core to another.
    this.threads = Math.min(8, 2 * Runtime.getRuntime().availableProcessors());
  }

  /**
   * What the scan found.
   *
   * @param references each flag key found, with its references sorted by file and line
   * @param unknown keys evaluated in code that are not flags, with their references
   * @param filesScanned files read and searched
   * @param binary files skipped as binary
   * @param tooLarge files skipped as larger than the limit
   * @param unreadable files listed but gone, not regular files or not readable
   */
  public record Result(
      Map<String, List<Reference>> references,
      Map<String, List<Reference>> unknown,
      int filesScanned,
      int binary,
      int tooLarge,
      int unreadable) {
    public int filesSkipped() {
      return binary + tooLarge + unreadable;
    }
  }

  /** Scans {@code files} (relative to {@code root}) on a few threads. */
  public Result scan(Path root, List<String> files) {
    AtomicInteger next = new AtomicInteger();
    List<Callable<Partial>> workers = new ArrayList<>();
    for (int t = 0; t < threads; t++) {
      workers.add(() -> {
        Partial partial = new Partial();
        for (int i = next.getAndIncrement(); i < files.size(); i = next.getAndIncrement()) {
          read(root, files.get(i), partial);
        }
        return partial;
      });
    }
    ExecutorService pool = Executors.newFixedThreadPool(threads);
    try {
      Partial total = new Partial();
      for (Future<Partial> future : pool.invokeAll(workers)) {
        total.add(future.get());
      }
      return total.result();
    } catch (InterruptedException e) {
      Thread.currentThread().interrupt();
      throw new CliFailure(ExitCodes.FAILED, "interrupted while scanning");
    } catch (ExecutionException e) {
      if (e.getCause() instanceof RuntimeException r) {
        throw r;
      }
      throw new IllegalStateException(e.getCause());
    } finally {
      pool.shutdownNow();
    }
  }

  private void read(Path root, String file, Partial partial) {
    int length;
    // NOFOLLOW_LINKS: a link is not followed out of the tree (opening one fails: unreadable).
    try (FileChannel channel =
        FileChannel.open(root.resolve(file), StandardOpenOption.READ, LinkOption.NOFOLLOW_LINKS)) {
      long size = channel.size();
      if (size > maxFileBytes) {
        partial.tooLarge++;
        return;
      }
      length = readFully(channel, partial, (int) size);
    } catch (IOException e) {
      partial.unreadable++; // gone since it was listed, a directory, not ours to read
      return;
    }
    if (length > maxFileBytes) {
      partial.tooLarge++; // it grew since it was listed
      return;
    }
    byte[] bytes = partial.buffer;
    if (isBinary(bytes, length)) {
      partial.binary++;
      return;
    }
    partial.scanned++;
    scan(file, bytes, length, partial);
  }

  /**
   * Reads the whole file into the thread's buffer, which grows to the largest file read: memory
   * stays at most the limit per thread, and a hundred thousand files make no garbage.
   */
  private int readFully(FileChannel channel, Partial partial, int expected) throws IOException {
    if (partial.buffer.length < expected + 1) {
      partial.buffer = new byte[(int) Math.min(maxFileBytes + 1, Math.max(expected + 1, 8192))];
    }
    ByteBuffer into = ByteBuffer.wrap(partial.buffer);
    while (into.hasRemaining() && channel.read(into) >= 0) {
      if (!into.hasRemaining() && into.capacity() <= maxFileBytes) {
        byte[] larger =
            Arrays.copyOf(partial.buffer, (int) Math.min(maxFileBytes + 1, into.capacity() * 2L));
        into = ByteBuffer.wrap(larger).position(into.position());
        partial.buffer = larger;
      }
    }
    return into.position();
  }

  private static final VarHandle LONGS =
      MethodHandles.byteArrayViewVarHandle(long[].class, ByteOrder.LITTLE_ENDIAN);

  /** Whether a NUL is in the first 8 KiB, eight bytes at a time (a zero byte sets its top bit). */
  static boolean isBinary(byte[] bytes, int length) {
    int end = Math.min(length, BINARY_PROBE);
    int i = 0;
    for (; i + 8 <= end; i += 8) {
      long v = (long) LONGS.get(bytes, i);
      if (((v - 0x0101010101010101L) & ~v & 0x8080808080808080L) != 0) {
        return true;
      }
    }
    for (; i < end; i++) {
      if (bytes[i] == 0) {
        return true;
      }
    }
    return false;
  }

  /**
   * Every stretch between a quote and the next same quote on its line is a candidate: taking each
   * quote as a possible opening (rather than pairing them) means an apostrophe in a comment cannot
   * hide the literal after it. One pass: each kind of quote remembers where it was last seen.
   */
  void scan(String file, byte[] b, int n, Partial partial) {
    int line = 1;
    int doubleQuote = -1;
    int singleQuote = -1;
    int backtick = -1;
    for (int i = 0; i < n; i++) {
      byte c = b[i];
      if (c > '`') {
        continue; // lower-case letters and {|}~: most of a source file
      }
      switch (c) {
        case '\n' -> {
          line++;
          doubleQuote = -1;
          singleQuote = -1;
          backtick = -1;
        }
        case '"' -> {
          if (doubleQuote >= 0 && i > doubleQuote + 1) {
            literal(file, b, doubleQuote, i, line, partial);
          }
          doubleQuote = i;
        }
        case '\'' -> {
          if (singleQuote >= 0 && i > singleQuote + 1) {
            literal(file, b, singleQuote, i, line, partial);
          }
          singleQuote = i;
        }
        case '`' -> {
          if (backtick >= 0 && i > backtick + 1) {
            literal(file, b, backtick, i, line, partial);
          }
          backtick = i;
        }
        default -> {}
      }
    }
    if (!calls.patterns().isEmpty()) {
      String text = new String(b, 0, n, StandardCharsets.UTF_8);
      for (Pattern pattern : calls.patterns()) {
        matches(file, text, pattern, partial);
      }
    }
  }

  private void literal(String file, byte[] b, int open, int close, int line, Partial partial) {
    int start = open + 1;
    int length = close - start;
    String key = keys.find(b, start, length);
    if (key != null) {
      partial.reference(partial.references, key, file, line);
    } else if (length <= MAX_UNKNOWN_KEY && calls.isFirstArgument(b, open)) {
      String literal = new String(b, start, length, StandardCharsets.UTF_8);
      if (plausibleKey(literal)) {
        partial.reference(partial.unknown, literal, file, line);
      }
    }
  }

  private void matches(String file, String text, Pattern pattern, Partial partial) {
    Matcher m = pattern.matcher(text);
    int line = 1;
    int counted = 0; // text before here has been counted into line
    while (m.find()) {
      int at = m.start(1);
      String found = m.group(1);
      if (at < 0 || found == null || found.isEmpty()) {
        continue;
      }
      for (; counted < at; counted++) {
        if (text.charAt(counted) == '\n') {
          line++;
        }
      }
      byte[] bytes = found.getBytes(StandardCharsets.UTF_8);
      String key = keys.find(bytes, 0, bytes.length);
      if (key != null) {
        partial.reference(partial.references, key, file, line);
      } else if (plausibleKey(found)) {
        partial.reference(partial.unknown, found, file, line);
      }
    }
  }

  private static boolean plausibleKey(String literal) {
    if (literal.isBlank() || literal.length() > MAX_UNKNOWN_KEY) {
      return false;
    }
    return literal.chars().noneMatch(c -> c < 0x20 || c == 0x7f);
  }

  /** One thread's findings, added up at the end. */
  static final class Partial {
    final Map<String, List<Reference>> references = new HashMap<>();
    final Map<String, List<Reference>> unknown = new HashMap<>();
    int scanned;
    int binary;
    int tooLarge;
    int unreadable;
    byte[] buffer = new byte[64 * 1024];

    void reference(Map<String, List<Reference>> into, String key, String file, int line) {
      List<Reference> list = into.computeIfAbsent(key, k -> new ArrayList<>());
      Reference last = list.isEmpty() ? null : list.get(list.size() - 1);
      if (last == null || last.line() != line || !last.file().equals(file)) {
        list.add(new Reference(file, line));
      }
    }

    void add(Partial other) {
      other.references.forEach(
          (k, v) -> references.computeIfAbsent(k, x -> new ArrayList<>()).addAll(v));
      other.unknown.forEach((k, v) -> unknown.computeIfAbsent(k, x -> new ArrayList<>()).addAll(v));
      scanned += other.scanned;
      binary += other.binary;
      tooLarge += other.tooLarge;
      unreadable += other.unreadable;
    }

    Result result() {
      return new Result(sorted(references), sorted(unknown), scanned, binary, tooLarge, unreadable);
    }

    private static Map<String, List<Reference>> sorted(Map<String, List<Reference>> found) {
      Map<String, List<Reference>> out = new TreeMap<>();
      found.forEach((key, list) -> out.put(key, list.stream().sorted().distinct().toList()));
      return java.util.Collections.unmodifiableMap(out);
    }
  }
}
