package dev.rollgate.server.releases;

import dev.rollgate.server.catalog.SplitSource;
import java.util.ArrayList;
import java.util.Comparator;
import java.util.List;
import java.util.Map;

/**
 * How a release's waves show in its flag: the users of every wave so far get the treatment, the
 * rest the control. Each wave takes a share of its segment's users (or of everyone), bucketed by
 * the release's id; a user's bucket never changes, so a user in an earlier wave stays in every
 * later one whatever the later waves' segments and shares.
 *
 * <p>A user in several waves' segments is in when their bucket is under the largest of those
 * shares, so the rule tries the waves from the largest share down and the first segment that
 * matches decides: {@code {"if": [{"$ref": seg}, fractional(p), ..., fractional(p) | control]}}.
 */
final class ReleaseSplit {
  private static final int TOTAL = 10_000;

  private ReleaseSplit() {}

  static SplitSource.Split of(Release r) {
    List<ReleasePlan.Wave> reached =
        new ArrayList<>(r.plan.waves().subList(0, Math.max(0, r.wave) + 1));
    reached.sort(Comparator.comparingDouble(ReleasePlan.Wave::percent).reversed());
    List<Object> chain = new ArrayList<>();
    Object otherwise = r.control;
    for (ReleasePlan.Wave w : reached) {
      Object share = share(r, w.percent());
      if (w.segment() == null) {
        otherwise = share; // everyone else: nothing after this wave can reach more users
        break;
      }
      chain.add(Map.of("$ref", w.segment()));
      chain.add(share);
    }
    if (chain.isEmpty()) {
      return new SplitSource.Split("a release", otherwise);
    }
    chain.add(otherwise);
    return new SplitSource.Split("a release", Map.of("if", chain));
  }

  private static Object share(Release r, double percent) {
    long weight = Math.round(percent * TOTAL / 100);
    if (weight >= TOTAL) {
      return r.treatment;
    }
    return SplitSource.Split.fractional(
            "a release",
            r.id,
            List.of(List.of(r.treatment, weight), List.of(r.control, TOTAL - weight)))
        .rule();
  }
}
