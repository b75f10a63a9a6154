package dev.rollgate.cli;

import com.tngtech.archunit.core.importer.ImportOption;
import com.tngtech.archunit.junit.AnalyzeClasses;
import com.tngtech.archunit.junit.ArchTest;
import com.tngtech.archunit.lang.ArchRule;
import dev.rollgate.core.HouseRules;

/** House rules for the command line's own classes ({@link HouseRules}). */
@AnalyzeClasses(packages = "dev.rollgate.cli", importOptions = ImportOption.DoNotIncludeTests.class)
class ArchitectureTest {
  @ArchTest
  static final ArchRule noPackageCycles = HouseRules.noPackageCycles("cli", "dev.rollgate.cli");

  @ArchTest static final ArchRule coreInternalStaysInCore = HouseRules.coreInternalStaysInCore();
}
