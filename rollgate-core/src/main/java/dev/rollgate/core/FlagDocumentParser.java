package dev.rollgate.core;

import dev.rollgate.core.internal.logic.LogicCompiler;
import dev.rollgate.core.internal.logic.Node;
import dev.rollgate.core.json.Json;
import dev.rollgate.core.json.JsonPath;
import dev.rollgate.core.json.JsonSyntaxException;
import java.util.ArrayList;
import java.util.Collections;
import java.util.LinkedHashMap;
import java.util.LinkedHashSet;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.TreeSet;

/**
 * Reads a flag document (flagd's JSON flag format) into a {@link FlagSnapshot}, checking all of it
 * first: every problem is collected with its path, and any problem rejects the whole document.
 */
final class FlagDocumentParser {
  private static final Set<String> DOCUMENT_KEYS =
      Set.of("$schema", "flags", "$evaluators", "metadata");
  private static final Set<String> FLAG_KEYS =
      Set.of("state", "variants", "defaultVariant", "targeting", "metadata", "prerequisites");
  private static final Set<String> PREREQUISITE_KEYS = Set.of("flag", "variants");

  /** A prerequisite as written, before the flag it names is known to exist. */
  private record Required(String flag, List<String> variants, String path) {}

  private final ParseOptions options;
  private final List<Problem> problems = new ArrayList<>();
  private final Map<String, List<Required>> required = new LinkedHashMap<>();

  private FlagDocumentParser(ParseOptions options) {
    this.options = options;
  }

  static FlagSnapshot parse(String text, ParseOptions options) {
    Object root;
    try {
      root = Json.parse(text);
    } catch (JsonSyntaxException e) {
      throw new InvalidFlagDocumentException(List.of(new Problem("", e.getMessage())));
    }
    return new FlagDocumentParser(options).compile(root, null, null);
  }

  static FlagSnapshot compile(
      Object document, ParseOptions options, FlagSnapshot previous, Set<String> changed) {
    return new FlagDocumentParser(options).compile(document, previous, changed);
  }

  private FlagSnapshot compile(Object root, FlagSnapshot previous, Set<String> changed) {
    if (!(root instanceof Map<?, ?> document)) {
      throw new InvalidFlagDocumentException(
          List.of(
              new Problem("", "a flag document is a JSON object, not " + JsonPath.typeName(root))));
    }
    unknownKeys(document, DOCUMENT_KEYS, "");
    Map<String, Object> setMetadata = metadata(document.get("metadata"), "metadata");
    Map<String, Object> evaluators = new LinkedHashMap<>();
    Object rawEvaluators = document.get("$evaluators");
    if (rawEvaluators instanceof Map<?, ?> m) {
      m.forEach((k, v) -> evaluators.put((String) k, v));
    } else if (rawEvaluators != null) {
      problem("$evaluators", "must be an object of named JsonLogic expressions");
    }
    Object rawFlags = document.get("flags");
    if (!(rawFlags instanceof Map<?, ?> flagsJson)) {
      problem("flags", rawFlags == null ? "is required" : "must be an object of flags by key");
      throw new InvalidFlagDocumentException(problems);
    }
    LogicCompiler compiler = new LogicCompiler(evaluators, options.clock(), options.limits());
    if (options.strictness() == ParseOptions.Strictness.STRICT) {
      // Shared evaluators are checked even when no flag refers to them yet.
      for (String name : evaluators.keySet()) {
        try {
          compiler
              .compileEvaluator(name)
              .issues()
              .forEach(issue -> problem(issue.path(), issue.message()));
        } catch (LogicCompiler.LimitExceeded e) {
          problem(e.path(), e.getMessage());
        }
      }
    }
    FlagSnapshot.Sources reusable =
        previous == null ? null : previous.reusableFor(options, setMetadata, evaluators);
    if (reusable != null && changed != null && onlyUpdates(reusable, flagsJson, changed)) {
      return update(previous, reusable, flagsJson, changed, setMetadata, compiler);
    }
    Map<String, CompiledFlag> flags = new LinkedHashMap<>();
    Map<String, FlagSnapshot.Source> sources = new LinkedHashMap<>();
    for (Map.Entry<?, ?> e : flagsJson.entrySet()) {
      String key = (String) e.getKey();
      Object json = e.getValue();
      CompiledFlag flag = reusable == null ? null : reusable.reuse(key, json, previous);
      if (flag != null) {
        FlagSnapshot.Source source = reusable.flags().get(key);
        compiler.countReused(source.nodes());
        sources.put(key, source);
      } else {
        long before = compiler.compiledNodes();
        flag = flag(key, json, JsonPath.member("flags", key), setMetadata, compiler);
        if (flag == null) {
          continue;
        }
        sources.put(
            key,
            new FlagSnapshot.Source(
                json, compiler.compiledNodes() - before, refersToEvaluators(json)));
      }
      flags.put(key, flag);
    }
    if (!required.isEmpty()) {
      flags = new Prerequisites(flags, flagsJson.keySet()).link();
    }
    if (!problems.isEmpty()) {
      throw new InvalidFlagDocumentException(new ArrayList<>(new LinkedHashSet<>(problems)));
    }
    return FlagSnapshot.owning(
        flags,
        setMetadata,
        new FlagSnapshot.Sources(
            options, evaluators, sources, compiler.compiledNodes(), !required.isEmpty()));
  }

  /**
   * Whether the change to {@code previous} is one the compiler can apply flag by flag: the flags in
   * {@code changed} are changed or removed, none is new (a new flag takes its place in the
   * document's order), none links to other flags or refers to a shared evaluator, and no flag of
   * {@code previous} did either.
   */
  private static boolean onlyUpdates(
      FlagSnapshot.Sources previous, Map<?, ?> flagsJson, Set<String> changed) {
    if (previous.linked() || previous.evaluators() == null || changed.size() > flagsJson.size()) {
      return false;
    }
    for (String key : changed) {
      FlagSnapshot.Source before = previous.flags().get(key);
      Object json = flagsJson.get(key);
      if ((before == null && json != null)
          || (before != null && before.refers())
          || (json instanceof Map<?, ?> flag && flag.containsKey("prerequisites"))
          || refersToEvaluators(json)) {
        return false;
      }
    }
    return true;
  }

  /**
   * {@code previous} with the flags in {@code changed} compiled again (or removed), every other
   * flag taken over as it is: the same result as compiling the whole document, for the cost of the
   * changed flags and two copies of the maps.
   */
  private FlagSnapshot update(
      FlagSnapshot previous,
      FlagSnapshot.Sources reusable,
      Map<?, ?> flagsJson,
      Set<String> changed,
      Map<String, Object> setMetadata,
      LogicCompiler compiler) {
    Map<String, CompiledFlag> flags = previous.flagsCopy();
    Map<String, FlagSnapshot.Source> sources = new LinkedHashMap<>(reusable.flags());
    long kept = reusable.totalNodes();
    for (String key : changed) {
      FlagSnapshot.Source before = sources.get(key);
      kept -= before == null ? 0 : before.nodes();
    }
    compiler.countReused(kept);
    for (String key : changed) {
      CompiledFlag flag = null;
      Object json = flagsJson.get(key);
      long before = compiler.compiledNodes();
      if (flagsJson.containsKey(key)) {
        flag = flag(key, json, JsonPath.member("flags", key), setMetadata, compiler);
      }
      if (flag == null) {
        flags.remove(key);
        sources.remove(key);
      } else { // in its place: a map keeps the order a key was first put in
        flags.put(key, flag);
        sources.put(key, new FlagSnapshot.Source(json, compiler.compiledNodes() - before, false));
      }
    }
    if (!problems.isEmpty()) {
      throw new InvalidFlagDocumentException(new ArrayList<>(new LinkedHashSet<>(problems)));
    }
    return FlagSnapshot.owning(
        flags,
        setMetadata,
        new FlagSnapshot.Sources(
            options, reusable.evaluators(), sources, compiler.compiledNodes(), false));
  }

  /** Whether a flag's JSON holds a {@code $ref} anywhere (conservatively: in any member). */
  private static boolean refersToEvaluators(Object json) {
    if (json instanceof Map<?, ?> map) {
      if (map.containsKey("$ref")) {
        return true;
      }
      for (Object value : map.values()) {
        if (refersToEvaluators(value)) {
          return true;
        }
      }
    } else if (json instanceof List<?> list) {
      for (Object value : list) {
        if (refersToEvaluators(value)) {
          return true;
        }
      }
    }
    return false;
  }

  private CompiledFlag flag(
      String key,
      Object json,
      String path,
      Map<String, Object> setMetadata,
      LogicCompiler compiler) {
    if (key.isEmpty()) {
      problem(path, "a flag key must not be empty");
    }
    if (!(json instanceof Map<?, ?> flag)) {
      problem(path, "a flag is an object, not " + JsonPath.typeName(json));
      return null;
    }
    int before = problems.size();
    unknownKeys(flag, FLAG_KEYS, path);

    Object state = flag.get("state");
    if (!"ENABLED".equals(state) && !"DISABLED".equals(state)) {
      problem(
          JsonPath.member(path, "state"),
          state == null
              ? "is required (ENABLED or DISABLED)"
              : "must be ENABLED or DISABLED, not " + Json.write(state));
    }

    Map<String, Object> metadata = new LinkedHashMap<>(setMetadata);
    metadata.putAll(metadata(flag.get("metadata"), JsonPath.member(path, "metadata")));
    Map<String, Object> frozenMetadata = Collections.unmodifiableMap(metadata);

    Map<String, CompiledVariant> variants =
        variants(key, flag.get("variants"), JsonPath.member(path, "variants"), frozenMetadata);

    CompiledVariant defaultVariant = null;
    Object defaultName = flag.get("defaultVariant");
    String defaultPath = JsonPath.member(path, "defaultVariant");
    if (defaultName instanceof String name) {
      defaultVariant = variants.get(name);
      if (defaultVariant == null && !variants.isEmpty()) {
        problem(defaultPath, "\"" + name + "\" is not one of the variants " + variants.keySet());
      }
    } else if (defaultName != null) {
      problem(defaultPath, "must be a variant name or null");
    }

    Object targetingJson = flag.get("targeting");
    Node targeting = null;
    String targetingError = null;
    String targetingPath = JsonPath.member(path, "targeting");
    boolean hasTargeting = targetingJson instanceof Map<?, ?> t && !t.isEmpty();
    if (targetingJson != null && !(targetingJson instanceof Map<?, ?>)) {
      problem(targetingPath, "must be a JsonLogic object, not " + JsonPath.typeName(targetingJson));
    } else if (hasTargeting) {
      boolean strict = options.strictness() == ParseOptions.Strictness.STRICT;
      try {
        LogicCompiler.Result compiled = compiler.compile(key, targetingJson, targetingPath);
        for (LogicCompiler.Issue issue : compiled.issues()) {
          if (strict) {
            problem(issue.path(), issue.message());
          } else if (issue.fatal() && targetingError == null) {
            targetingError = issue.path() + ": " + issue.message();
          }
        }
        targeting = compiled.root();
      } catch (LogicCompiler.LimitExceeded e) {
        if (strict) {
          problem(e.path(), e.getMessage());
        } else {
          targetingError = e.path() + ": " + e.getMessage();
        }
      }
    }

    List<Required> prerequisites =
        prerequisites(flag.get("prerequisites"), JsonPath.member(path, "prerequisites"));

    if (problems.size() > before) {
      return null;
    }
    if (!prerequisites.isEmpty()) {
      required.put(key, prerequisites);
    }
    return new CompiledFlag(
        key,
        "ENABLED".equals(state),
        variants,
        defaultVariant,
        targeting,
        targetingError,
        frozenMetadata,
        KillSwitch.lookup(key, options.environment()));
  }

  /** Reads a flag's prerequisites as written; {@link Prerequisites} checks what they name. */
  private List<Required> prerequisites(Object json, String path) {
    if (json == null) {
      return List.of();
    }
    if (!(json instanceof List<?> list)) {
      problem(path, "must be an array of {\"flag\": key, \"variants\": [names]}");
      return List.of();
    }
    List<Required> read = new ArrayList<>();
    for (int i = 0; i < list.size(); i++) {
      String at = JsonPath.element(path, i);
      if (!(list.get(i) instanceof Map<?, ?> entry)) {
        problem(at, "a prerequisite is an object {\"flag\": key, \"variants\": [names]}");
        continue;
      }
      unknownKeys(entry, PREREQUISITE_KEYS, at);
      Object flag = entry.get("flag");
      if (!(flag instanceof String name) || name.isEmpty()) {
        problem(JsonPath.member(at, "flag"), "is required: the key of the flag required");
        continue;
      }
      List<String> variants = new ArrayList<>();
      if (!(entry.get("variants") instanceof List<?> names) || names.isEmpty()) {
        problem(
            JsonPath.member(at, "variants"),
            "is required: a non-empty array of the variant names that satisfy it");
        continue;
      }
      for (int v = 0; v < names.size(); v++) {
        if (names.get(v) instanceof String variant) {
          variants.add(variant);
        } else {
          problem(JsonPath.element(JsonPath.member(at, "variants"), v), "must be a variant name");
        }
      }
      read.add(new Required(name, List.copyOf(variants), at));
    }
    return read;
  }

  /**
   * Checks what the prerequisites name (a flag of the document, its variants, no cycle, a chain no
   * deeper than the nesting limit) and links each flag to the compiled flags it requires, building
   * every flag after those it requires. In flagd mode a flag whose prerequisites are wrong resolves
   * with {@code PARSE_ERROR}; strictly, it is a problem.
   */
  private final class Prerequisites {
    private final Map<String, CompiledFlag> compiled;
    private final Set<?> written; // every key of the document, compiled or not
    private final Map<String, String> errors = new LinkedHashMap<>();
    private final Map<String, Integer> depths = new LinkedHashMap<>();
    private final Set<String> visited = new LinkedHashSet<>();
    private final Map<String, CompiledFlag> linked = new LinkedHashMap<>();

    Prerequisites(Map<String, CompiledFlag> compiled, Set<?> written) {
      this.compiled = compiled;
      this.written = written;
    }

    Map<String, CompiledFlag> link() {
      required.forEach(this::check);
      for (String key : required.keySet()) {
        cycle(key, new ArrayList<>(), new LinkedHashSet<>());
      }
      for (String key : required.keySet()) {
        if (!errors.containsKey(key) && depth(key) > options.limits().maxDepth()) {
          error(
              key,
              required.get(key).getFirst().path(),
              "prerequisites chain deeper than " + options.limits().maxDepth() + " flags");
        }
      }
      Map<String, CompiledFlag> out = new LinkedHashMap<>();
      for (String key : compiled.keySet()) {
        out.put(key, build(key));
      }
      return out;
    }

    private void check(String key, List<Required> list) {
      for (Required r : list) {
        if (!written.contains(r.flag())) {
          error(key, JsonPath.member(r.path(), "flag"), "there is no flag \"" + r.flag() + "\"");
          continue;
        }
        CompiledFlag target = compiled.get(r.flag());
        if (target == null) {
          continue; // that flag has problems of its own
        }
        for (String variant : r.variants()) {
          if (!target.hasVariant(variant)) {
            error(
                key,
                JsonPath.member(r.path(), "variants"),
                "\"" + variant + "\" is not a variant of flag \"" + r.flag() + "\"");
          }
        }
      }
    }

    /** Reports each cycle once, at the prerequisite that closes it, naming every flag on it. */
    private void cycle(String key, List<String> path, Set<String> onPath) {
      if (onPath.contains(key)) {
        List<String> loop = new ArrayList<>(path.subList(path.indexOf(key), path.size()));
        loop.add(key);
        String from = path.getLast();
        Required closing =
            required.get(from).stream().filter(r -> r.flag().equals(key)).findFirst().orElseThrow();
        for (String member : loop.subList(0, loop.size() - 1)) {
          if (!member.equals(from)) {
            errors.putIfAbsent(member, "prerequisites form a cycle: " + String.join(" -> ", loop));
          }
        }
        error(
            from,
            JsonPath.member(closing.path(), "flag"),
            "prerequisites form a cycle: " + String.join(" -> ", loop));
        return;
      }
      if (!required.containsKey(key) || !visited.add(key)) {
        return;
      }
      path.add(key);
      onPath.add(key);
      for (Required r : required.get(key)) {
        cycle(r.flag(), path, onPath);
      }
      onPath.remove(key);
      path.removeLast();
    }

    /** How many flags deep the chain below {@code key} goes; flags in error count as none. */
    private int depth(String key) {
      Integer known = depths.get(key);
      if (known != null) {
        return known;
      }
      int deepest = 0;
      if (!errors.containsKey(key) && required.containsKey(key)) {
        for (Required r : required.get(key)) {
          if (compiled.containsKey(r.flag())) {
            deepest = Math.max(deepest, 1 + depth(r.flag()));
          }
        }
      }
      depths.put(key, deepest);
      return deepest;
    }

    private CompiledFlag build(String key) {
      CompiledFlag done = linked.get(key);
      if (done != null) {
        return done;
      }
      CompiledFlag flag = compiled.get(key);
      List<Required> list = required.get(key);
      String error = errors.get(key);
      CompiledFlag built;
      if (error != null) {
        built = flag.withPrerequisites(new Prerequisite[0], error);
      } else if (list == null) {
        built = flag;
      } else {
        Prerequisite[] links = new Prerequisite[list.size()];
        for (int i = 0; i < links.length; i++) {
          links[i] = new Prerequisite(build(list.get(i).flag()), list.get(i).variants());
        }
        built = flag.withPrerequisites(links, null);
      }
      linked.put(key, built);
      return built;
    }

    private void error(String key, String path, String message) {
      errors.putIfAbsent(key, path + ": " + message);
      if (options.strictness() == ParseOptions.Strictness.STRICT) {
        problem(path, message);
      }
    }
  }

  private Map<String, CompiledVariant> variants(
      String flagKey, Object json, String path, Map<String, Object> metadata) {
    if (!(json instanceof Map<?, ?> map) || map.isEmpty()) {
      problem(
          path,
          json == null
              ? "is required: an object of variant name to value"
              : "must be a non-empty object of variant name to value");
      return Map.of();
    }
    Map<String, CompiledVariant> variants = new LinkedHashMap<>();
    String kind = null;
    String firstName = null;
    for (Map.Entry<?, ?> e : map.entrySet()) {
      String name = (String) e.getKey();
      Object value = e.getValue();
      String variantPath = JsonPath.member(path, name);
      if (value == null) {
        problem(variantPath, "a variant's value must not be null");
        continue;
      }
      String k = CompiledVariant.kind(value);
      if (kind == null) {
        kind = k;
        firstName = name;
      } else if (!kind.equals(k)) {
        problem(
            variantPath,
            "is a "
                + k
                + ", but variant \""
                + firstName
                + "\" is a "
                + kind
                + ": a flag's variants share one type");
        continue;
      }
      variants.put(name, new CompiledVariant(flagKey, name, value, metadata));
    }
    return Collections.unmodifiableMap(variants);
  }

  private Map<String, Object> metadata(Object json, String path) {
    if (json == null) {
      return Map.of();
    }
    if (!(json instanceof Map<?, ?> map)) {
      problem(path, "must be an object of strings, numbers and booleans");
      return Map.of();
    }
    Map<String, Object> metadata = new LinkedHashMap<>();
    map.forEach((k, v) -> {
      if (v instanceof String || v instanceof Number || v instanceof Boolean) {
        metadata.put((String) k, v);
      } else {
        problem(
            JsonPath.member(path, (String) k),
            "metadata values are strings, numbers or booleans, not " + JsonPath.typeName(v));
      }
    });
    return metadata;
  }

  private void unknownKeys(Map<?, ?> object, Set<String> known, String path) {
    for (Object k : object.keySet()) {
      if (!known.contains(k)) {
        problem(
            JsonPath.member(path, (String) k),
            "unknown property (expected one of " + new TreeSet<>(known) + ")");
      }
    }
  }

  private void problem(String path, String message) {
    problems.add(new Problem(path, message));
  }
}
