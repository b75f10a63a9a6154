package dev.rollgate.sdk;

import com.tngtech.archunit.core.importer.ImportOption;
import com.tngtech.archunit.junit.AnalyzeClasses;
import com.tngtech.archunit.junit.ArchTest;
import com.tngtech.archunit.lang.ArchRule;
import dev.rollgate.core.HouseRules;

/** House rules for the SDK's own classes ({@link HouseRules}). */
@AnalyzeClasses(packages = "dev.rollgate.sdk", importOptions = ImportOption.DoNotIncludeTests.class)
class ArchitectureTest {
  @ArchTest
  static final ArchRule noPackageCycles = HouseRules.noPackageCycles("sdk", "dev.rollgate.sdk");

  @ArchTest static final ArchRule coreInternalStaysInCore = HouseRules.coreInternalStaysInCore();

  @ArchTest
  static final ArchRule noServerLibraries =
      HouseRules.noServerLibraries(
          "sdk", "the SDK runs inside applications and logs through System.Logger");
}
