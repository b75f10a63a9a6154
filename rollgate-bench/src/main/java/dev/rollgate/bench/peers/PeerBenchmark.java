package dev.rollgate.bench.peers;

import java.util.concurrent.TimeUnit;
import org.openjdk.jmh.annotations.Benchmark;
import org.openjdk.jmh.annotations.BenchmarkMode;
import org.openjdk.jmh.annotations.Fork;
import org.openjdk.jmh.annotations.Level;
import org.openjdk.jmh.annotations.Measurement;
import org.openjdk.jmh.annotations.Mode;
import org.openjdk.jmh.annotations.OutputTimeUnit;
import org.openjdk.jmh.annotations.Param;
import org.openjdk.jmh.annotations.Scope;
import org.openjdk.jmh.annotations.Setup;
import org.openjdk.jmh.annotations.State;
import org.openjdk.jmh.annotations.TearDown;
import org.openjdk.jmh.annotations.Warmup;

/**
 * flagd's in-process provider, the Unleash Java SDK offline, Rollgate's client and Rollgate through
 * OpenFeature, each through its public API, on the same three flags (src/main/resources/peers/) and
 * the same 1,024 rotating users. Each system's answers are checked before it is timed ({@link
 * Peers#verify}). Run with rollgate-bench/peers-jmh.sh, which prints docs/benchmarks.md's table.
 */
@State(Scope.Thread)
@BenchmarkMode(Mode.AverageTime)
@OutputTimeUnit(TimeUnit.NANOSECONDS)
@Warmup(iterations = 3, time = 2)
@Measurement(iterations = 5, time = 2)
// Unleash's engine is a native library, loaded through JNI.
@Fork(value = 1, jvmArgsAppend = "--enable-native-access=ALL-UNNAMED")
public class PeerBenchmark {
  @Param({"flagd", "unleash", "rollgate-client", "rollgate-openfeature"})
  public String system;

  private Peer peer;
  private int next;

  @Setup(Level.Trial)
  public void setUp() {
    peer = Peers.start(system);
    Peers.verify(system, peer);
  }

  @TearDown(Level.Trial)
  public void tearDown() {
    peer.close();
  }

  private int nextUser() {
    next = (next + 1) & (PeerUsers.COUNT - 1);
    return next;
  }

  @Benchmark
  public boolean staticFlag() {
    return peer.isOn(PeerFlags.STATIC, nextUser());
  }

  @Benchmark
  public boolean threeConditionRule() {
    return peer.isOn(PeerFlags.RULE, nextUser());
  }

  @Benchmark
  public boolean fractional25() {
    return peer.isOn(PeerFlags.FRACTIONAL, nextUser());
  }
}
