/**
 * The evaluation engine's implementation: the JsonLogic compiler ({@code logic}), the bucketing
 * hash ({@code hash}) and version parsing ({@code semver}).
 *
 * <p>Not API: these packages are public only so that {@code dev.rollgate.core} can reach them, and
 * they change without notice. Nothing outside {@code dev.rollgate.core} may use them; the
 * architecture tests of the other modules check it.
 */
package dev.rollgate.core.internal;
