package dev.rollgate.stats;

import java.util.Arrays;
import java.util.Comparator;

/** Adjusted p-values over an explicit family of tests. */
public final class MultipleTesting {
  private MultipleTesting() {}

  /**
   * Holm's step-down adjustment (Holm 1979, Scandinavian Journal of Statistics 6): with the
   * p-values sorted ascending, {@code p̃(i) = max over j ≤ i of min(1, (m − j + 1)·p(j))}. Controls
   * the family-wise error rate.
   */
  public static double[] holm(double[] pValues) {
    Integer[] order = order(pValues, Comparator.naturalOrder());
    int m = pValues.length;
    double[] adjusted = new double[m];
    double running = 0;
    for (int rank = 0; rank < m; rank++) {
      int i = order[rank];
      running = Math.max(running, Math.min(1, (m - rank) * pValues[i]));
      adjusted[i] = running;
    }
    return adjusted;
  }

  /**
   * Benjamini and Hochberg's step-up adjustment (1995, JRSS B 57): with the p-values sorted
   * ascending, {@code p̃(i) = min over j ≥ i of min(1, m·p(j)/j)}. Controls the false discovery
   * rate.
   */
  public static double[] benjaminiHochberg(double[] pValues) {
    Integer[] order = order(pValues, Comparator.reverseOrder());
    int m = pValues.length;
    double[] adjusted = new double[m];
    double running = 1;
    for (int k = 0; k < m; k++) {
      int i = order[k];
      int rank = m - k; // 1-based rank in ascending order
      running = Math.min(running, Math.min(1, m * pValues[i] / rank));
      adjusted[i] = running;
    }
    return adjusted;
  }

  private static Integer[] order(double[] pValues, Comparator<Double> by) {
    for (double p : pValues) {
      if (!(p >= 0 && p <= 1)) {
        throw new IllegalArgumentException("p-values lie in [0, 1]");
      }
    }
    Integer[] order = new Integer[pValues.length];
    Arrays.setAll(order, i -> i);
    Arrays.sort(order, (a, b) -> by.compare(pValues[a], pValues[b]));
    return order;
  }
}
