/**
 * Semantic versions as flagd's {@code sem_ver} operator reads and orders them.
 *
 * <p>Not API: used only by the core's evaluation; it changes without notice.
 */
package dev.rollgate.core.internal.semver;
