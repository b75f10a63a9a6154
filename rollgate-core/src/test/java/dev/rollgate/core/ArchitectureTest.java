package dev.rollgate.core;

import static com.tngtech.archunit.lang.syntax.ArchRuleDefinition.classes;

import com.tngtech.archunit.core.importer.ImportOption;
import com.tngtech.archunit.junit.AnalyzeClasses;
import com.tngtech.archunit.junit.ArchTest;
import com.tngtech.archunit.lang.ArchRule;

/** House rules for the core's own classes (design §8 and §10). */
@AnalyzeClasses(
    packages = "dev.rollgate.core",
    importOptions = ImportOption.DoNotIncludeTests.class)
class ArchitectureTest {

  @ArchTest
  static final ArchRule noPackageCycles = HouseRules.noPackageCycles("core", "dev.rollgate.core");

  @ArchTest
  static final ArchRule noServerLibraries =
      HouseRules.noServerLibraries("core", "the core runs inside applications, through the SDK");

  @ArchTest
  static final ArchRule onlyJsonParsing =
      classes()
          .should()
          .onlyDependOnClassesThat()
          .resideInAnyPackage(
              "java..", "com.fasterxml.jackson.core..", "org.slf4j", "dev.rollgate.core..")
          .because(
              "rule core-only-json-parsing: the core has no runtime dependency beyond JSON parsing"
                  + " (and the SLF4J API for logging)");
}
