/**
 * The public entry of `flows/`: what the engine and the desk wire in. Everything here is pure
 * (no platform, Redis or BullMQ imports).
 */
import { createClassifier, type SupportClassifier } from "./classifier/index.js";
import { floodNotice, migrateState, renderQueueStatus, serializeState, step } from "./support-flow.js";
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

/** The support flow, ready for the engine. */
export const supportFlowModule: FlowModule = {
  step,
  migrateState,
  serializeState,
  renderQueueStatus,
  floodNotice,
};

/** The production classifier (rules, then naive Bayes over the bundled training set). Build once. */
export function createDefaultClassifier(): SupportClassifier {
  return createClassifier();
}
