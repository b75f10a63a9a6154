/**
 * The hash behind {@code fractional} bucketing (MurmurHash3 x86_32, as flagd computes it), so that
 * a unit lands in the same bucket here as in flagd.
 *
 * <p>Not API: used only by the core's evaluation; it changes without notice.
 */
package dev.rollgate.core.internal.hash;
