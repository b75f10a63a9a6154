package dev.rollgate.server.http;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import dev.rollgate.server.domain.Failure;
import dev.rollgate.server.domain.Principal;
import dev.rollgate.server.domain.Role;
import org.junit.jupiter.api.Test;

/** Where a scoped principal may go, path by path (the API tests show it through a socket). */
class ScopeTest {
  private static final Principal PRODUCTION =
      new Principal("t", "oidc:r:1", Role.EDITOR, "shop", "production");
  private static final Principal PROJECT =
      new Principal("t", "oidc:r:2", Role.VIEWER, "shop", null);

  @Test
  void unscopedPrincipalsAndSdkTokensAreNotChecked() {
    Scope.check(new Principal("a", "admin", Role.ADMIN, null, null), "DELETE", "/api/v1/tokens/x");
    Scope.check(new Principal("s", "sdk", Role.SDK, "shop", "production"), "GET", "/api/v1/stream");
  }

  @Test
  void anEnvironmentScopeReadsItsProjectAndChangesOnlyItsEnvironment() {
    assertThat(Scope.allows(PRODUCTION, "GET", "/api/v1/projects")).isTrue();
    assertThat(Scope.allows(PRODUCTION, "GET", "/api/v1/status")).isTrue();
    assertThat(Scope.allows(PRODUCTION, "POST", "/api/v1/analysis/srm")).isTrue();
    assertThat(Scope.allows(PRODUCTION, "GET", "/api/v1/projects/shop")).isTrue();
    assertThat(Scope.allows(PRODUCTION, "GET", "/api/v1/projects/shop/flags/f")).isTrue();
    assertThat(
            Scope.allows(PRODUCTION, "GET", "/api/v1/projects/shop/flags/f/environments/staging"))
        .isTrue();
    assertThat(
            Scope.allows(
                PRODUCTION, "PATCH", "/api/v1/projects/shop/flags/f/environments/production"))
        .isTrue();
    assertThat(
            Scope.allows(
                PRODUCTION,
                "POST",
                "/api/v1/projects/shop/environments/production/flags/f/rollout/advance"))
        .isTrue();
    assertThat(
            Scope.allows(PRODUCTION, "PUT", "/api/v1/projects/shop/environments/production/flagd"))
        .isTrue();

    assertThat(
            Scope.allows(PRODUCTION, "PATCH", "/api/v1/projects/shop/flags/f/environments/staging"))
        .isFalse();
    assertThat(Scope.allows(PRODUCTION, "PATCH", "/api/v1/projects/shop/flags/f")).isFalse();
    assertThat(Scope.allows(PRODUCTION, "POST", "/api/v1/projects/shop/flags")).isFalse();
    assertThat(Scope.allows(PRODUCTION, "POST", "/api/v1/projects/shop/segments")).isFalse();
    assertThat(Scope.allows(PRODUCTION, "PUT", "/api/v1/projects/shop/environments/staging/flagd"))
        .isFalse();
    assertThat(Scope.allows(PRODUCTION, "GET", "/api/v1/projects/other/flags")).isFalse();
    assertThat(Scope.allows(PRODUCTION, "POST", "/api/v1/projects")).isFalse();
    assertThat(Scope.allows(PRODUCTION, "GET", "/api/v1/tokens")).isFalse();
    assertThat(Scope.allows(PRODUCTION, "GET", "/api/v1/webhooks")).isFalse();
    assertThat(Scope.allows(PRODUCTION, "GET", "/api/v1/audit")).isFalse();
    assertThat(Scope.allows(PRODUCTION, "GET", "/api/v1/session")).isFalse();
    assertThat(Scope.allows(PRODUCTION, "GET", "/api/v1/sdk/flags")).isFalse();
    assertThat(Scope.allows(PRODUCTION, "GET", "/metrics")).isFalse();
  }

  @Test
  void aProjectScopeChangesAnythingInItsProject() {
    assertThat(Scope.allows(PROJECT, "PATCH", "/api/v1/projects/shop/flags/f")).isTrue();
    assertThat(Scope.allows(PROJECT, "POST", "/api/v1/projects/shop/segments")).isTrue();
    assertThat(Scope.allows(PROJECT, "POST", "/api/v1/projects/other/segments")).isFalse();
    assertThat(Scope.allows(PROJECT, "DELETE", "/api/v1/tokens/x")).isFalse();
  }

  @Test
  void noSpellingOfAPathReachesAnotherProject() {
    assertThat(Scope.allows(PRODUCTION, "GET", "/api/v1/projects/sho%70/flags")).isTrue();
    assertThat(Scope.allows(PRODUCTION, "GET", "/api/v1/projects/shop/../other/flags")).isFalse();
    assertThat(Scope.allows(PRODUCTION, "GET", "/api/v1/projects/shop/%2e%2e/other")).isFalse();
    assertThat(Scope.allows(PRODUCTION, "GET", "/api/v1/projects/shop%2Fx/flags")).isFalse();
    assertThat(Scope.allows(PRODUCTION, "GET", "/api/v1/projects/shop%zz/flags")).isFalse();
    assertThat(Scope.allows(PRODUCTION, "GET", "/api/v1/projects/shop%/flags")).isFalse();
    assertThat(Scope.allows(PRODUCTION, "GET", "/api/v2/projects/shop/flags")).isFalse();
    assertThat(Scope.allows(PRODUCTION, "GET", "/api/v1/projects/shop/")).isTrue();
    assertThat(
            Scope.allows(
                PRODUCTION, "PATCH", "/api/v1/projects/shop/flags/f/environments/production%2Fx"))
        .isFalse();
  }

  @Test
  void aRefusalNamesTheScope() {
    assertThatThrownBy(() -> Scope.check(PRODUCTION, "GET", "/api/v1/tokens"))
        .isInstanceOf(Failure.class)
        .hasMessageContaining("scoped to project shop, environment production")
        .extracting(e -> ((Failure) e).kind())
        .isEqualTo(Failure.Kind.FORBIDDEN);
  }
}
