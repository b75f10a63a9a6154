package dev.rollgate.cli.coderefs;

import java.nio.charset.StandardCharsets;
import java.util.Arrays;
import java.util.Collection;

/**
 * A set of strings looked up by a range of UTF-8 bytes, without making a string of the range: the
 * scanner asks it about every quoted piece of every file, so one hash over the bytes and one
 * comparison is all a lookup costs, whatever the number of keys.
 */
final class KeyTable {
  private final String[] keys;
  private final byte[][] bytes;
  private final int[] slots; // index + 1 into keys, 0 = empty
  private final int mask;
  private final int minLength;
  private final int maxLength;

  KeyTable(Collection<String> values) {
    String[] distinct = values.stream().distinct().sorted().toArray(String[]::new);
    keys = distinct;
    bytes = new byte[distinct.length][];
    int capacity = Integer.highestOneBit(Math.max(4, distinct.length * 2 + 1) * 2 - 1);
    slots = new int[capacity];
    mask = capacity - 1;
    int min = Integer.MAX_VALUE;
    int max = 0;
    for (int i = 0; i < distinct.length; i++) {
      byte[] b = distinct[i].getBytes(StandardCharsets.UTF_8);
      bytes[i] = b;
      min = Math.min(min, b.length);
      max = Math.max(max, b.length);
      int slot = hash(b, 0, b.length) & mask;
      while (slots[slot] != 0) {
        slot = (slot + 1) & mask;
      }
      slots[slot] = i + 1;
    }
    minLength = min;
    maxLength = max;
  }

  /** The key equal to {@code buf[from, from + length)}, or null. */
  String find(byte[] buf, int from, int length) {
    if (length < minLength || length > maxLength) {
      return null;
    }
    int slot = hash(buf, from, length) & mask;
    for (int index = slots[slot]; index != 0; index = slots[slot]) {
      byte[] key = bytes[index - 1];
      if (key.length == length && Arrays.equals(key, 0, length, buf, from, from + length)) {
        return keys[index - 1];
      }
      slot = (slot + 1) & mask;
    }
    return null;
  }

  boolean isEmpty() {
    return keys.length == 0;
  }

  private static int hash(byte[] b, int from, int length) {
    int h = 0;
    for (int i = from; i < from + length; i++) {
      h = 31 * h + b[i];
    }
    return h ^ (h >>> 16);
  }
}
