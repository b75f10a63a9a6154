/**
 * JsonLogic targeting with flagd's operators, compiled once into a tree of nodes that evaluation
 * walks: {@code LogicCompiler} builds it, {@code Node} evaluates it, {@code Trace} records the
 * steps of an explained evaluation.
 *
 * <p>Not API: used only by {@code dev.rollgate.core} to compile and evaluate flags; it changes
 * without notice.
 */
package dev.rollgate.core.internal.logic;
