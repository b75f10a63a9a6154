package dev.rollgate.server.catalog;

import dev.rollgate.core.FlagSnapshot;
import dev.rollgate.core.InvalidFlagDocumentException;
import dev.rollgate.core.KillSwitches;
import dev.rollgate.core.ParseOptions;
import dev.rollgate.core.Problem;
import dev.rollgate.core.json.Json;
import dev.rollgate.core.json.JsonPath;
import dev.rollgate.server.crypto.Sha256;
import dev.rollgate.server.store.Tx;
import java.sql.SQLException;
import java.util.AbstractMap;
import java.util.AbstractSet;
import java.util.ArrayList;
import java.util.Collections;
import java.util.HashMap;
import java.util.HashSet;
import java.util.HexFormat;
import java.util.Iterator;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Objects;
import java.util.Set;
import java.util.SortedMap;
import java.util.TreeMap;
import java.util.TreeSet;
import java.util.function.BiConsumer;
import java.util.function.Supplier;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * A project compiled at one point: what each environment serves, and what the next change builds
 * on. A change reads only what it may have changed ({@link Delta}) and {@link #next} keeps every
 * flag it did not change as it was: the same compiled flag (taken over by {@link
 * FlagSnapshot#compile}) and the same serialized fragment of the served document, so that a write
 * costs what it changed, not what the project holds. Loading a project is the same step from
 * nothing.
 */
final class ProjectState {
  private static final Logger log = LoggerFactory.getLogger(ProjectState.class);

  /**
   * One flag in one environment.
   *
   * @param json what is compiled: {@code text} read back, so the compiler sees what a reader of the
   *     document would
   * @param text the flag as flagd JSON, the split composed in
   * @param fragment its member of the served document's flags: the key, a colon, and the flag with
   *     this server's kill switches applied
   * @param digest a 128-bit hash of {@code fragment}, for the environment's etag
   */
  record Entry(Object json, String text, String fragment, Digest digest, boolean lenient) {}

  /**
   * A 128-bit hash; the sum of the flags' hashes stands for the set of flags, so a change updates
   * it for the flags it changed (a set hash by addition: what the etag needs, not a signature).
   */
  record Digest(long high, long low) {
    static final Digest ZERO = new Digest(0, 0);

    static Digest of(String text) {
      String hex = Sha256.hex(text, 16);
      return new Digest(
          HexFormat.fromHexDigitsToLong(hex, 0, 16), HexFormat.fromHexDigitsToLong(hex, 16, 32));
    }

    Digest plus(Digest other) {
      long sum = low + other.low;
      return new Digest(high + other.high + (Long.compareUnsigned(sum, low) < 0 ? 1 : 0), sum);
    }

    Digest minus(Digest other) {
      long difference = low - other.low;
      return new Digest(
          high - other.high - (Long.compareUnsigned(low, other.low) < 0 ? 1 : 0), difference);
    }

    @Override
    public String toString() {
      return HexFormat.of().toHexDigits(high) + HexFormat.of().toHexDigits(low);
    }
  }

  /**
   * One environment: its flags in key order, what splits them, and the compiled result.
   *
   * @param document the served document, serialized when first asked for (a write that no one
   *     fetches or streams does not pay for the whole document)
   * @param digest the sum of the flags' digests
   */
  record Env(
      SortedMap<String, Entry> flags,
      Map<String, SplitSource.Split> splits,
      FlagSnapshot snapshot,
      Supplier<String> document,
      String etag,
      Digest digest,
      Map<String, List<Problem>> problems) {
    String served() {
      return document.get();
    }
  }

  /**
   * What a change may have changed in a project, read in its transaction: every environment's
   * splits and the shared evaluators (they are few), and the flags written since the state it
   * builds on; all flags when there is no such state or the environments changed.
   *
   * @param flags by key, null for a flag that is gone
   */
  record Delta(
      boolean full,
      List<String> environments,
      Map<String, String> segments,
      Map<String, Map<String, SplitSource.Split>> splits,
      Map<String, FlagdExport.FlagRow> flags) {

    static Delta read(Tx tx, String project, ProjectState base, List<SplitSource> sources)
        throws SQLException {
      List<String> environments = FlagdExport.environments(tx, project);
      Set<String> keys = null;
      // In full when there is nothing to build on: no state, other environments, or one that did
      // not compile at all last time.
      if (base != null
          && base.environments.equals(environments)
          && base.envs.keySet().containsAll(environments)) {
        Set<String> logged = FlagdExport.changedSince(tx, project, base.generation);
        if (logged != null) {
          keys = new TreeSet<>(logged);
          keys.addAll(Changes.flags(tx, project));
        }
      }
      Map<String, Map<String, SplitSource.Split>> all = FlagdExport.splits(tx, project, sources);
      Map<String, Map<String, SplitSource.Split>> splits = new LinkedHashMap<>();
      for (String environment : environments) {
        Map<String, SplitSource.Split> now = all.getOrDefault(environment, Map.of());
        splits.put(environment, now);
        if (keys != null) {
          Map<String, SplitSource.Split> before = base.envs.get(environment).splits();
          for (String flag : union(before.keySet(), now.keySet())) {
            if (!Objects.equals(before.get(flag), now.get(flag))) {
              keys.add(flag);
            }
          }
        }
      }
      Map<String, FlagdExport.FlagRow> flags = new HashMap<>(FlagdExport.flags(tx, project, keys));
      if (keys != null) {
        keys.forEach(k -> flags.putIfAbsent(k, null));
      }
      return new Delta(
          keys == null, environments, FlagdExport.segments(tx, project), splits, flags);
    }

    private static Set<String> union(Set<String> a, Set<String> b) {
      Set<String> all = new TreeSet<>(a);
      all.addAll(b);
      return all;
    }
  }

  final String project;
  final long generation;
  final List<String> environments;
  final Map<String, String> segments;
  final Map<String, Object> evaluators; // the same objects while their rules are
  final Map<String, Long> versions;
  final Map<String, Env> envs;

  private ProjectState(
      String project,
      long generation,
      List<String> environments,
      Map<String, String> segments,
      Map<String, Object> evaluators,
      Map<String, Long> versions,
      Map<String, Env> envs) {
    this.project = project;
    this.generation = generation;
    this.environments = environments;
    this.segments = segments;
    this.evaluators = evaluators;
    this.versions = versions;
    this.envs = envs;
  }

  /** This state as of {@code value}, the generation of the commit that made it. */
  ProjectState at(long value) {
    return new ProjectState(project, value, environments, segments, evaluators, versions, envs);
  }

  /**
   * {@code base} (null for none) with {@code delta} applied, compiled: strictly, but for the flags
   * stored as flagd loads them. An environment that does not compile is reported to {@code
   * onInvalid} and, when {@code lenient} (stored state that this version rejects), compiled as
   * flagd would, else left out.
   */
  static ProjectState next(
      String project,
      ProjectState base,
      Delta delta,
      ParseOptions options,
      boolean lenient,
      BiConsumer<String, InvalidFlagDocumentException> onInvalid) {
    ProjectState from = delta.full() ? null : base;
    Map<String, Object> evaluators = new LinkedHashMap<>();
    delta
        .segments()
        .forEach((key, rules) -> {
          boolean same = from != null && rules.equals(from.segments.get(key));
          evaluators.put(key, same ? from.evaluators.get(key) : Json.parse(rules));
        });
    boolean evaluatorsChanged = from == null || !from.segments.equals(delta.segments());
    Map<String, Long> versions = from == null ? new HashMap<>() : new HashMap<>(from.versions);
    delta
        .flags()
        .forEach((key, row) -> {
          if (row == null) {
            versions.remove(key);
          } else {
            versions.put(key, row.version());
          }
        });
    Map<String, Env> envs = new LinkedHashMap<>();
    for (String environment : delta.environments()) {
      Env old = from == null ? null : from.envs.get(environment);
      try {
        envs.put(
            environment,
            env(project, environment, old, evaluatorsChanged, evaluators, delta, options, lenient));
      } catch (InvalidFlagDocumentException e) {
        onInvalid.accept(environment, e);
      }
    }
    return new ProjectState(
        project,
        base == null ? 0 : base.generation,
        List.copyOf(delta.environments()),
        Map.copyOf(delta.segments()),
        Collections.unmodifiableMap(evaluators),
        Collections.unmodifiableMap(versions),
        Collections.unmodifiableMap(envs));
  }

  private static Env env(
      String project,
      String environment,
      Env old,
      boolean evaluatorsChanged,
      Map<String, Object> evaluators,
      Delta delta,
      ParseOptions options,
      boolean lenient) {
    Map<String, SplitSource.Split> splits = delta.splits().get(environment);
    TreeMap<String, Entry> flags = old == null ? new TreeMap<>() : null;
    Set<String> changedFlags = new HashSet<>();
    Digest digest = old == null ? Digest.ZERO : old.digest();
    for (Map.Entry<String, FlagdExport.FlagRow> e : delta.flags().entrySet()) {
      String key = e.getKey();
      FlagdExport.FlagRow row = e.getValue();
      Map<String, Object> json =
          row == null ? null : FlagdExport.flag(row, environment, splits.get(key));
      Entry current = (flags == null ? old.flags() : flags).get(key);
      if (json == null) {
        if (current != null) {
          flags = flags == null ? new TreeMap<>(old.flags()) : flags;
          flags.remove(key);
          changedFlags.add(key);
          digest = digest.minus(current.digest());
        }
        continue;
      }
      String text = Json.write(json);
      boolean isLenient = row.environments().get(environment).lenient();
      if (current != null && current.text().equals(text) && current.lenient() == isLenient) {
        continue; // rewritten as it was: keep what is compiled and serialized
      }
      flags = flags == null ? new TreeMap<>(old.flags()) : flags;
      Entry entry = entry(key, text, isLenient, options);
      flags.put(key, entry);
      changedFlags.add(key);
      digest = (current == null ? digest : digest.minus(current.digest())).plus(entry.digest());
    }
    if (old != null && !evaluatorsChanged && changedFlags.isEmpty()) {
      return new Env(
          old.flags(),
          splits,
          old.snapshot(),
          old.document(),
          old.etag(),
          old.digest(),
          old.problems());
    }
    // Unmodifiable but sorted, so that the next change copies it in linear time.
    SortedMap<String, Entry> all =
        flags == null ? old.flags() : Collections.unmodifiableSortedMap(flags);
    Map<String, Object> document =
        FlagdExport.document(project, environment, new JsonView(all), evaluators);
    FlagSnapshot previous = old == null ? null : old.snapshot();
    FlagSnapshot snapshot;
    Map<String, List<Problem>> problems = Map.of();
    try {
      snapshot =
          FlagSnapshot.compile(
              document, options, previous, evaluatorsChanged ? null : changedFlags);
    } catch (InvalidFlagDocumentException e) {
      Set<String> lenientFlags = new TreeSet<>();
      all.forEach((key, entry) -> {
        if (entry.lenient()) {
          lenientFlags.add(key);
        }
      });
      problems = byLenientFlag(e.problems(), lenientFlags);
      if (problems == null && !lenient) {
        throw e;
      }
      if (problems == null) {
        // Stored flags that this version no longer accepts: serve them as flagd would, so that
        // the server starts, and say so.
        log.error(
            "project {} environment {}: stored flags do not compile ({}); serving them as flagd"
                + " would",
            project,
            environment,
            e.getMessage());
        problems = Map.of();
      }
      snapshot =
          FlagSnapshot.compile(
              document, options.withStrictness(ParseOptions.Strictness.FLAGD), previous);
    }
    String head = Json.write(FlagdExport.document(project, environment, Map.of(), Map.of()));
    String evaluatorsJson = evaluators.isEmpty() ? null : Json.write(evaluators);
    return new Env(
        all,
        splits,
        snapshot,
        new Lazy(() -> served(head, all, evaluatorsJson)),
        etag(head, all.size(), digest, evaluatorsJson),
        digest,
        problems);
  }

  /** A value made when first asked for, once. */
  private static final class Lazy implements Supplier<String> {
    private Supplier<String> make;
    private volatile String value;

    Lazy(Supplier<String> make) {
      this.make = make;
    }

    @Override
    public String get() {
      String made = value;
      if (made == null) {
        synchronized (this) {
          if (value == null) {
            value = make.get();
            make = null;
          }
          made = value;
        }
      }
      return made;
    }
  }

  /** The flags as the compiler reads them: each entry's JSON, without copying the map. */
  private static final class JsonView extends AbstractMap<String, Object> {
    private final SortedMap<String, ProjectState.Entry> flags;

    JsonView(SortedMap<String, ProjectState.Entry> flags) {
      this.flags = flags;
    }

    @Override
    public Object get(Object key) {
      ProjectState.Entry entry = flags.get(key);
      return entry == null ? null : entry.json();
    }

    @Override
    public boolean containsKey(Object key) {
      return flags.containsKey(key);
    }

    @Override
    public int size() {
      return flags.size();
    }

    @Override
    public Set<Map.Entry<String, Object>> entrySet() {
      return new AbstractSet<>() {
        @Override
        public Iterator<Map.Entry<String, Object>> iterator() {
          Iterator<Map.Entry<String, ProjectState.Entry>> entries = flags.entrySet().iterator();
          return new Iterator<>() {
            @Override
            public boolean hasNext() {
              return entries.hasNext();
            }

            @Override
            public Map.Entry<String, Object> next() {
              Map.Entry<String, ProjectState.Entry> e = entries.next();
              return new SimpleImmutableEntry<>(e.getKey(), e.getValue().json());
            }
          };
        }

        @Override
        public int size() {
          return flags.size();
        }
      };
    }
  }

  private static Entry entry(String key, String text, boolean lenient, ParseOptions options) {
    Object json = Json.parse(text);
    Map<String, Object> single = Map.of("flags", Map.of(key, json));
    Map<String, Object> switched = KillSwitches.apply(single, options.environment());
    @SuppressWarnings("ReferenceEquality") // no switch set: the same document
    String served =
        switched == single ? text : Json.write(((Map<?, ?>) switched.get("flags")).get(key));
    String fragment = Json.write(key) + ":" + served;
    return new Entry(json, text, fragment, Digest.of(fragment), lenient);
  }

  /**
   * The served document: {@code head} (schema and metadata, with no flags) with the flags'
   * fragments and the evaluators spliced in, as {@code Json.write} of the whole would give.
   */
  private static String served(String head, Map<String, Entry> flags, String evaluatorsJson) {
    String open = head.substring(0, head.length() - "{}}".length()); // ...,"flags":
    int size = open.length() + 16 + (evaluatorsJson == null ? 0 : evaluatorsJson.length());
    for (Entry entry : flags.values()) {
      size += entry.fragment().length() + 1;
    }
    StringBuilder out = new StringBuilder(size).append(open).append('{');
    boolean first = true;
    for (Entry entry : flags.values()) {
      if (!first) {
        out.append(',');
      }
      first = false;
      out.append(entry.fragment());
    }
    out.append('}');
    if (evaluatorsJson != null) {
      out.append(",\"$evaluators\":").append(evaluatorsJson);
    }
    return out.append('}').toString();
  }

  /**
   * A content hash of the served document, from the sum of its flags' hashes (each computed once
   * per change of a flag, the sum kept up by each change) rather than its bytes: equal on every
   * replica for equal content, and as cheap for 10,000 flags as for 10.
   */
  private static String etag(String head, int flags, Digest digest, String evaluatorsJson) {
    return Sha256.hex(
        head
            + "|"
            + flags
            + "|"
            + digest
            + "|"
            + (evaluatorsJson == null ? "" : Sha256.hex(evaluatorsJson, 8)),
        12);
  }

  /**
   * {@code problems} by the flag each is in, or null when one is not in a flag of {@code lenient}
   * (a flag that must compile, a shared evaluator, the document itself).
   */
  private static Map<String, List<Problem>> byLenientFlag(
      List<Problem> problems, Set<String> lenient) {
    if (lenient.isEmpty()) {
      return null;
    }
    Map<String, List<Problem>> byFlag = new LinkedHashMap<>();
    for (Problem problem : problems) {
      String flag = JsonPath.flagOf(problem.path());
      if (flag == null || !lenient.contains(flag)) {
        return null;
      }
      byFlag.computeIfAbsent(flag, k -> new ArrayList<>()).add(problem);
    }
    return byFlag;
  }
}
