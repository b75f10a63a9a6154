package dev.rollgate.core;

/** What went wrong in a resolution whose reason is {@link Reason#ERROR}. */
public enum ErrorCode {
  FLAG_NOT_FOUND,
  TYPE_MISMATCH,
  PARSE_ERROR,
  TARGETING_KEY_MISSING,
  GENERAL
}
