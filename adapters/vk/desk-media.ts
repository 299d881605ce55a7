import { type API, Upload } from "vk-io";
import type { MediaUploader } from "../../src/desk/delivery.js";
import type { AttachmentSource } from "../../src/desk/customer-posts.js";
import type { ProfileSource } from "../../src/desk/topics.js";
import { randomIdFor } from "./random-id.js";

interface VkAttachment {
  type: string;
  photo?: { sizes?: { url?: string; width?: number }[] };
  doc?: { url?: string; title?: string };
  video?: { owner_id?: number; id?: number };
  audio_message?: { link_mp3?: string };
  sticker?: { images?: { url?: string }[] };
}

/** A link an agent can open for one VK attachment (the biggest photo size; the document's URL). */
function linkOf(a: VkAttachment): string | undefined {
  switch (a.type) {
    case "photo":
      return [...(a.photo?.sizes ?? [])].sort((x, y) => (y.width ?? 0) - (x.width ?? 0))[0]?.url;
    case "doc":
      return a.doc?.url;
    case "video":
      return a.video ? `https://vk.com/video${a.video.owner_id}_${a.video.id}` : undefined;
    case "audio_message":
      return a.audio_message?.link_mp3;
    case "sticker":
      return a.sticker?.images?.at(-1)?.url;
    default:
      return undefined;
  }
}

/**
 * The desk's VK media: a customer's attachments as links for the topic (`messages.getById`), and an
 * agent's photo or document uploaded to the customer's dialog with vk-io's `Upload`.
 */
export function vkDeskMedia(api: API): {
  attachments: AttachmentSource;
  uploader: MediaUploader;
  profiles: ProfileSource;
} {
  // The API's own agent: an http one when VK_API_BASE_URL is plain http (a local emulator).
  const upload = new Upload({ api, agent: api.options.agent });
  return {
    attachments: {
      async of(_chatId, messageId) {
        const { items } = await api.messages.getById({ message_ids: [Number(messageId)] });
        const attachments = (items[0]?.attachments ?? []) as unknown as VkAttachment[];
        return attachments.map((a) => ({ kind: a.type, url: linkOf(a) }));
      },
    },
    profiles: {
      async of(chatId) {
        const [user] = await api.users.get({ user_ids: [Number(chatId)], fields: ["screen_name"] });
        if (!user) return undefined;
        const name = [user.first_name, user.last_name].filter(Boolean).join(" ");
        return `https://vk.com/${user.screen_name ?? `id${chatId}`}${name ? ` (${name})` : ""}`;
      },
    },
    uploader: {
      async send(chatId, file, caption, key) {
        const peer_id = Number(chatId);
        const source = { value: file.data, filename: file.fileName };
        const attachment =
          file.kind === "photo"
            ? await upload.messagePhoto({ peer_id, source })
            : await upload.messageDocument({ peer_id, source, title: file.fileName });
        // random_id from the job key: a retried job cannot post the file twice.
        const random_id = randomIdFor(chatId, key, 0);
        const sent = await api.messages.send({
          peer_id,
          random_id,
          attachment: attachment.toString(),
          message: caption,
        });
        return String(sent);
      },
    },
  };
}
