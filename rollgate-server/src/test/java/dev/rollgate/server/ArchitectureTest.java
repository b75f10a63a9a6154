package dev.rollgate.server;

import static com.tngtech.archunit.lang.syntax.ArchRuleDefinition.noClasses;
import static com.tngtech.archunit.library.dependencies.SlicesRuleDefinition.slices;

import com.tngtech.archunit.base.DescribedPredicate;
import com.tngtech.archunit.core.domain.JavaClass;
import com.tngtech.archunit.core.domain.JavaClasses;
import com.tngtech.archunit.core.importer.ClassFileImporter;
import com.tngtech.archunit.core.importer.ImportOption;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;

/**
 * The server's layering (design §8): {@code *Routes} speak HTTP, services hold the rules, stores
 * their SQL, and only the {@code http} package knows more of HTTP than the routes do.
 */
class ArchitectureTest {

  private static JavaClasses server;

  @BeforeAll
  static void importServer() {
    server =
        new ClassFileImporter()
            .withImportOption(new ImportOption.DoNotIncludeTests())
            .importPackages("dev.rollgate.server");
  }

  @Test
  void featurePackagesHaveNoCycles() {
    slices()
        .matching("dev.rollgate.server.(*)..")
        .should()
        .beFreeOfCycles()
        .because("rule server-no-package-cycles: feature packages depend on each other one way")
        .check(server);
  }

  @Test
  void javalinOnlyInHttpRoutesAndStreamHub() {
    noClasses()
        .that()
        .resideOutsideOfPackage("dev.rollgate.server.http..")
        .and(outermostClassNamed(".*Routes|StreamHub", false))
        .should()
        .dependOnClassesThat()
        .resideInAPackage("io.javalin..")
        .because(
            "rule server-javalin-at-the-edge: Javalin is used only by the http package, the"
                + " *Routes classes and StreamHub")
        .check(server);
  }

  @Test
  void servicesAndStoresKnowNoHttp() {
    noClasses()
        .that(outermostClassNamed(".*(Service|Store)", true))
        .should()
        .dependOnClassesThat()
        .resideInAnyPackage(
            "io.javalin..",
            "jakarta.servlet..",
            "org.eclipse.jetty..",
            "dev.rollgate.server.http..")
        .because(
            "rule server-services-know-no-http: services and stores take typed commands and"
                + " return records or domain failures; only the http package maps them to statuses")
        .check(server);
  }

  @Test
  void coreInternalIsNotUsed() {
    noClasses()
        .should()
        .dependOnClassesThat()
        .resideInAPackage("dev.rollgate.core.internal..")
        .because("rule core-internal-not-api: dev.rollgate.core.internal is used only by the core")
        .check(server);
  }

  /**
   * Classes whose outermost class (themselves, for a top-level class) has, or with {@code matching}
   * false has not, a simple name matching {@code regex}; nested classes go with their outer one.
   */
  private static DescribedPredicate<JavaClass> outermostClassNamed(String regex, boolean matching) {
    return DescribedPredicate.describe(
        (matching ? "are in a class named " : "are not in a class named ") + regex,
        c -> {
          JavaClass outer = c;
          while (outer.getEnclosingClass().isPresent()) {
            outer = outer.getEnclosingClass().get();
          }
          return outer.getSimpleName().matches(regex) == matching;
        });
  }
}
