/**
 * The VK adapter: customers writing to the community's messages, over Bots Long Poll or the Callback
 * API, through vk-io. Platform I/O only; the support flow lives in `flows/`.
 */
export { createVkApi, GROUP_TOKEN_RPS, VK_API_VERSION } from "./api.js";
export { VK_CALLBACK_PATH, type VkCallbackSettings, vkCallbackRoute } from "./callback.js";
export { createVkChannel, type VkChannel, type VkChannelOptions } from "./channel.js";
export { type ChoiceMemory, InMemoryChoices, RedisChoices, resolveChoice } from "./choices.js";
export { classifyVkError, type VkFailure } from "./errors.js";
export { handleVkUpdate } from "./inbound.js";
export { VkLongPoll, VkLongPollSetupError } from "./longpoll.js";
export { conversationKeyOf, normalizeUpdate, textCommandOf } from "./normalize.js";
export { decodeButtonPayload, encodeButtonPayload } from "./payload.js";
export { randomIdFor } from "./random-id.js";
export { inlineKeyboard, numberedList, renderReply, truncateLabel } from "./render.js";
export { messageIdOf, VkSender } from "./sender.js";
export { splitText, VK_TEXT_LIMIT } from "./split.js";
