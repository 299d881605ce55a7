/**
 * The public entry of `flows/`: what the engine and the desk wire in. Everything here is pure
 * (no platform, Redis or BullMQ imports).
 */
import { createClassifier, type SupportClassifier } from "./classifier/index.js";
import type { OperatorProfile } from "./profile.js";
import {
  createSupportFlow,
  floodNotice,
  migrateState,
  renderQueueStatus,
  serializeState,
} from "./support-flow.js";
import type { FlowModule } from "./types.js";

export {
  agentReplyPrefix,
  floodNotice,
  initialState,
  migrateState,
  renderQueueStatus,
  serializeState,
  step,
} from "./support-flow.js";
export { createClassifier, isConfident, AMBIGUITY_MARGIN, CONFIDENCE_THRESHOLD } from "./classifier/index.js";
export { defaultKnowledgeBase, loadKnowledgeBase } from "./knowledge-base.js";
export { mask } from "./mask.js";
export { parseLogin } from "./login.js";
export { type OperatorProfile, OperatorProfileError, parseOperatorProfile } from "./profile.js";

/** The support flow for one operator, ready for the engine: every text speaks with its contacts. */
export function createSupportFlowModule(profile?: OperatorProfile): FlowModule {
  return {
    step: createSupportFlow({ profile }),
    migrateState,
    serializeState,
    renderQueueStatus: (locale, status) => renderQueueStatus(locale, status, profile),
    floodNotice: (locale) => floodNotice(locale, profile),
  };
}

/** The support flow with no operator profile (contacts read neutrally). */
export const supportFlowModule: FlowModule = createSupportFlowModule();

/** The production classifier (rules, then naive Bayes over the bundled training set). Build once. */
export function createDefaultClassifier(): SupportClassifier {
  return createClassifier();
}
