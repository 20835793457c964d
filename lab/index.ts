// The fault lab as a library (the CLI tools/cli/lab.ts and the web console use it): scenarios, and
// the actions that apply them to a running stack given { controlToken, urls }.
export { findScenario, type LabStatus, labStatus, resetLab, scenarioOff, scenarioOn } from './actions';
export { CONTROL_TOKEN_FILE, DEFAULT_URLS, getKnobs, type LabContext, LabError, type LabUrls, putKnobs, readControlToken } from './context';
export { checkRandom, type Estimate, RANDOM_EXERCISE_REQUESTS, RANDOM_TOLERANCE, type RandomCheck } from './random';
export { type KnobSettings, SCENARIOS, type Scenario, type ScenarioLevel } from './scenarios';
