/**
 * Customer-facing texts in English: the same keys as `ru.ts` (a test checks parity) and the same
 * facts, none added. Typed as `Texts`, so a missing key fails the type check too.
 */
import type { Texts } from "./ru.js";

/** English texts. */
export const en: Texts = {
  greeting:
    "Hello! I am the hosting support bot. I can:\n" +
    "• answer general questions: how and where to contact support, how long an answer takes, where it arrives;\n" +
    "• tell you how to file a ticket about a technical or billing problem;\n" +
    "• pass your question to a specialist, including urgent ones or questions about your ticket.\n\n" +
    "⚠️ Never send passwords or bank card details here. This chat is an unauthorized channel: it cannot " +
    "prove you own the account, so account actions and confidential data go only through a ticket from " +
    "the control panel.",
  askLogin:
    "Please send your account login, or your contract number, or your domain. If you have no account, " +
    "press «No account».",
  loginBad:
    "That does not look like a login, a contract number or a domain. Send one of them as a single word, " +
    "for example: {example}. If you have no account, press «No account».",
  loginExample: "ivanov, 123456 or example.com",
  loginEmail:
    "That is an email address; I need the account login, contract number or domain, e.g. {example}.",
  loginAccepted:
    "Thank you, noted: {login}. This chat cannot check that the account is yours, so no account data is " +
    "disclosed here.",
  guestAccepted: "All right, let's go on without an account.",
  askQuestion: "Describe the situation in one message: what happened and what you have already tried.",
  maskedWarning:
    "⚠️ Your message seems to contain a password or a card number. I hid it and did not store it. Please " +
    "do not send such data in the chat. If the password may have leaked, change it.",
  unsupported: "I can only read text. Please write your question in words.",
  feedbackQuestion: "Did this help?",
  helpedYes: "Glad to help! If you have another question, just describe it.",
  clarify: "I am not sure I understood. Choose what your question is about, or call an operator:",
  accountRefusal:
    "This is an action on the account or its confidential data. This chat is an unauthorized channel: it " +
    "cannot prove you are the owner, so neither I nor a specialist in the chat can do it or disclose it.\n\n" +
    "How to get it done:\n" +
    "• file a ticket from the control panel, the authorized channel;\n" +
    "• if you cannot reach the panel, write to the support email and start with your account login, " +
    "contract number or domain (without them the answer will be generic).\n\n" +
    "Tickets are processed within an hour. If you need help that does not involve account data (for " +
    "example, how to write the ticket), I can call a specialist.",
  technicalAdvice:
    "A question like this needs a long analysis, so the best way is a ticket from the control panel. " +
    "Describe the situation in detail: which actions lead to which result. You can also add:\n" +
    "• texts and error codes;\n" +
    "• screenshots;\n" +
    "• links where the error occurs;\n" +
    "• when the error happened and how often it repeats.\n\n" +
    "Tickets are processed within an hour; the answer arrives in the «Support» section of the control " +
    "panel and at the account's admin email. If you like, I can connect you with a specialist now.",
  billingAdvice:
    "Other departments handle this (finance, domains, or documents), so please file a ticket from the " +
    "control panel: that way it reaches the right department. Tickets are processed within an hour; the " +
    "answer arrives in the «Support» section of the control panel and at the account's admin email. If " +
    "the answer should go to another address, for example your accountant's, put it in the ticket.\n\n" +
    "If you like, I can connect you with a specialist now.",
  urgentHandoff:
    "I understand this is urgent: I am passing your question to a specialist first. For urgent matters " +
    "(site down, account hacked, a domain to renew) you can also call the support phone number given on " +
    "the provider's site; have your login, contract number or domain ready.",
  askTicket: "Send the ticket number, digits only, for example 123456.",
  ticketBad: "A ticket number is made of digits, for example 123456. Send it again or press «No number».",
  alreadyQueued: "You are already in the queue for a specialist. To leave it, press «Cancel waiting».",
  alreadyWithAgent: "You are already talking to a specialist: just write to them.",
  cancelled: "All right, cancelled. If you have a question, describe the situation in one message.",
  cancelledLogin: "All right, cancelled. Write whenever you need help.",
  cancelledWait: "Waiting cancelled. If the question remains, describe the situation and I will help.",
  agentChatEnded: "The conversation with the specialist has ended. If you have a question, describe it.",
  agentClaimed: "Specialist {name} has joined and will answer shortly.",
  askRating: "The specialist has closed the conversation. Please rate the help from 1 to 5.",
  ratingThanks: "Thank you for the rating! If you have another question, describe it.",
  idleRestart: "It has been a while since your last message, so let's start over.",
  queuePosition: "You are in the queue for a specialist. Your place in the queue: {position}.",
  queueWait: "Expected wait: about {minutes} min.",
  queueWaitUnknown: "I cannot estimate the wait yet: a specialist will answer as soon as one is free.",
  queueAfterHours:
    "It is outside working hours now: specialists are back {backAt}. If it is urgent (site down, account " +
    "hacked, a domain to renew), call the support phone number given on the provider's site. Questions " +
    "that need analysis or authorization are best sent as a ticket from the control panel.",
  queueHint: "While you wait, you can add details: they will reach the specialist.",
  queueTaken: "A specialist has taken your question and will answer shortly.",
  floodNotice: "You are writing faster than I can keep up. Please wait a little and send the message again.",
  agentPrefix: "👤 Specialist: ",
  btnNoAccount: "No account",
  btnYes: "Yes",
  btnNeedHuman: "I need a specialist",
  btnConnect: "Connect me with a specialist",
  btnOperator: "Operator",
  btnCancelWait: "Cancel waiting",
  btnNoTicket: "No number",
  catGeneral: "General question",
  catAccountAction: "Account action",
  catTechnical: "Technical problem",
  catBilling: "Payments and documents",
  catUrgent: "Urgent: site down or hacked",
  catTicketStatus: "My ticket",
  catOperator: "Operator",
};
