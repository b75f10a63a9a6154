package dev.rollgate.sdk.conformance;

import static io.cucumber.junit.platform.engine.Constants.FILTER_TAGS_PROPERTY_NAME;
import static io.cucumber.junit.platform.engine.Constants.GLUE_PROPERTY_NAME;
import static io.cucumber.junit.platform.engine.Constants.JUNIT_PLATFORM_NAMING_STRATEGY_PROPERTY_NAME;
import static io.cucumber.junit.platform.engine.Constants.PLUGIN_PUBLISH_QUIET_PROPERTY_NAME;

import org.junit.platform.suite.api.ConfigurationParameter;
import org.junit.platform.suite.api.IncludeEngines;
import org.junit.platform.suite.api.SelectDirectories;
import org.junit.platform.suite.api.Suite;

/**
 * The flagd evaluator conformance suite again: core's step definitions, evaluating through {@code
 * RollgateClient}'s typed API ({@link ClientEvaluator}, registered as a service).
 */
@Suite
@IncludeEngines("cucumber")
@SelectDirectories("../../shared/conformance/flagd-testbed/evaluator/gherkin")
@ConfigurationParameter(key = GLUE_PROPERTY_NAME, value = "dev.rollgate.core.conformance")
@ConfigurationParameter(key = FILTER_TAGS_PROPERTY_NAME, value = "not @fractional-v1")
@ConfigurationParameter(key = JUNIT_PLATFORM_NAMING_STRATEGY_PROPERTY_NAME, value = "long")
@ConfigurationParameter(key = PLUGIN_PUBLISH_QUIET_PROPERTY_NAME, value = "true")
public class ClientConformanceTest {}
