package dev.rollgate.cli.coderefs;

import static org.assertj.core.api.Assertions.assertThat;

import org.junit.jupiter.api.Test;

/** The subset of gitignore's rules that trees outside git are read with. */
class GitignoreTest {
  private static Boolean file(Gitignore rules, String path) {
    return rules.decide(path, false);
  }

  private static Boolean directory(Gitignore rules, String path) {
    return rules.decide(path, true);
  }

  @Test
  void commentsAndBlankLinesAreNotRules() {
    Gitignore rules = Gitignore.parse("# a comment\n\n   \n\\#hash\n");
    assertThat(file(rules, "# a comment")).isNull();
    assertThat(file(rules, "#hash")).isTrue();
  }

  @Test
  void aPatternWithoutSlashMatchesANameAtAnyDepth() {
    Gitignore rules = Gitignore.parse("*.log\n");
    assertThat(file(rules, "a.log")).isTrue();
    assertThat(file(rules, "deep/down/b.log")).isTrue();
    assertThat(file(rules, "a.log.txt")).isNull();
    assertThat(file(rules, "logs/a.txt")).isNull();
  }

  @Test
  void aSlashAnchorsThePatternToTheFilesDirectory() {
    Gitignore rules = Gitignore.parse("/out\ndoc/frotz\n");
    assertThat(directory(rules, "out")).isTrue();
    assertThat(directory(rules, "sub/out")).isNull();
    assertThat(file(rules, "doc/frotz")).isTrue();
    assertThat(file(rules, "a/doc/frotz")).isNull();
  }

  @Test
  void aTrailingSlashMatchesDirectoriesOnly() {
    Gitignore rules = Gitignore.parse("tmp/\n");
    assertThat(directory(rules, "tmp")).isTrue();
    assertThat(directory(rules, "a/tmp")).isTrue();
    assertThat(file(rules, "tmp")).isNull();
  }

  @Test
  void theLastMatchingRuleDecidesSoANegationReincludes() {
    Gitignore rules = Gitignore.parse("*.log\n!keep.log\n");
    assertThat(file(rules, "drop.log")).isTrue();
    assertThat(file(rules, "keep.log")).isFalse();
    assertThat(file(Gitignore.parse("!keep.log\n*.log\n"), "keep.log")).isTrue();
    assertThat(file(Gitignore.parse("\\!bang\n"), "!bang")).isTrue();
  }

  @Test
  void starAndQuestionMarkStayWithinOneName() {
    Gitignore rules = Gitignore.parse("src/*.gen\n?.txt\n");
    assertThat(file(rules, "src/a.gen")).isTrue();
    assertThat(file(rules, "src/x/a.gen")).isNull();
    assertThat(file(rules, "a.txt")).isTrue();
    assertThat(file(rules, "ab.txt")).isNull();
  }

  @Test
  void doubleStarMatchesAnyNumberOfDirectories() {
    Gitignore leading = Gitignore.parse("**/gen\n");
    assertThat(directory(leading, "gen")).isTrue();
    assertThat(directory(leading, "a/b/gen")).isTrue();
    Gitignore middle = Gitignore.parse("docs/**/draft.md\n");
    assertThat(file(middle, "docs/draft.md")).isTrue();
    assertThat(file(middle, "docs/a/b/draft.md")).isTrue();
    assertThat(file(middle, "other/docs/draft.md")).isNull();
    Gitignore trailing = Gitignore.parse("vendor/**\n");
    assertThat(file(trailing, "vendor/a/b.js")).isTrue();
    assertThat(directory(trailing, "vendor")).isNull();
  }

  @Test
  void bracketsAreACharacterClassThatNeverMatchesASlash() {
    Gitignore rules = Gitignore.parse("file[0-9].txt\nx[!a]y\n");
    assertThat(file(rules, "file7.txt")).isTrue();
    assertThat(file(rules, "filea.txt")).isNull();
    assertThat(file(rules, "xby")).isTrue();
    assertThat(file(rules, "xay")).isNull();
    assertThat(file(rules, "x/y")).isNull();
  }

  @Test
  void trailingSpacesAreDroppedUnlessEscapedAndRegexCharactersAreLiteral() {
    Gitignore rules = Gitignore.parse("a.b  \r\nc\\ \n(x)+\n");
    assertThat(file(rules, "a.b")).isTrue();
    assertThat(file(rules, "axb")).isNull();
    assertThat(file(rules, "c ")).isTrue();
    assertThat(file(rules, "(x)+")).isTrue();
  }
}
