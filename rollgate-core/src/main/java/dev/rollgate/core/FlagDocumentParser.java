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
      Set.of("state", "variants", "defaultVariant", "targeting", "metadata");

  private final ParseOptions options;
  private final List<Problem> problems = new ArrayList<>();

  private FlagDocumentParser(ParseOptions options) {
    this.options = options;
  }

  static FlagSnapshot parse(String text, ParseOptions options) {
    return new FlagDocumentParser(options).parse(text);
  }

  private FlagSnapshot parse(String text) {
    Object root;
    try {
      root = Json.parse(text);
    } catch (JsonSyntaxException e) {
      throw new InvalidFlagDocumentException(List.of(new Problem("", e.getMessage())));
    }
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
    Map<String, CompiledFlag> flags = new LinkedHashMap<>();
    for (Map.Entry<?, ?> e : flagsJson.entrySet()) {
      String key = (String) e.getKey();
      CompiledFlag flag =
          flag(key, e.getValue(), JsonPath.member("flags", key), setMetadata, compiler);
      if (flag != null) {
        flags.put(key, flag);
      }
    }
    if (!problems.isEmpty()) {
      throw new InvalidFlagDocumentException(new ArrayList<>(new LinkedHashSet<>(problems)));
    }
    return new FlagSnapshot(flags, setMetadata);
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

    if (problems.size() > before) {
      return null;
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
