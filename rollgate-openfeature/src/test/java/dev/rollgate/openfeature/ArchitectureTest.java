package dev.rollgate.openfeature;

import com.tngtech.archunit.core.importer.ImportOption;
import com.tngtech.archunit.junit.AnalyzeClasses;
import com.tngtech.archunit.junit.ArchTest;
import com.tngtech.archunit.lang.ArchRule;
import dev.rollgate.core.HouseRules;

/** House rules for the OpenFeature provider's own classes ({@link HouseRules}). */
@AnalyzeClasses(
    packages = "dev.rollgate.openfeature",
    importOptions = ImportOption.DoNotIncludeTests.class)
class ArchitectureTest {
  @ArchTest
  static final ArchRule noPackageCycles =
      HouseRules.noPackageCycles("openfeature", "dev.rollgate.openfeature");

  @ArchTest static final ArchRule coreInternalStaysInCore = HouseRules.coreInternalStaysInCore();

  @ArchTest
  static final ArchRule noServerLibraries =
      HouseRules.noServerLibraries("openfeature", "the provider runs inside applications");
}
