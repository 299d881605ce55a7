/**
 * Customer-facing texts in English, key for key the same as `ru.ts` (a test holds them to it).
 * Same rules: facts from the help article or the operator's profile, first person for the provider.
 */
import type { Texts } from "./ru.js";

export const en: Texts = {
  greeting:
    "Hello! I am the {support} bot. I answer general questions, help you write a ticket, and call a " +
    "specialist when needed.\n\n" +
    "⚠️ Never send passwords or card details here: this chat is an unauthorized channel, so actions on the " +
    "account and its data go only through a ticket from the {panel}.",
  greetingShort: "Hello! I am the {support} bot. Please never send passwords or card details here.",
  askLogin: "Please send your account login, or your contract number, or your domain.",
  loginBad: "That does not look like a login, contract number or domain. Send one of them, e.g.: {example}.",
  loginExample: "ivanov, 123456 or example.com",
  loginEmail:
    "That is an email address; I need the account login, contract number or domain, e.g.: {example}.",
  loginAccepted: "Thank you, noted: {login}.",
  guestAccepted: "All right, let's go on without an account.",
  forgotLogin:
    "No problem: a contract number or a domain will do. If you don't have those either, we'll go on without.",
  loginGiveUp: "Let's go on without the login: the specialist will ask for it if needed.",
  askQuestion: "Describe the situation in one message: what happened and what you have tried.",
  loginForHandoff:
    "So the specialist can help faster, send your account login, contract number or domain. " +
    "If you have no account or don't remember the login, press a button below.",
  maskedWarning:
    "⚠️ Your message seems to contain a password or a card number. I hid it and stored it nowhere. If the " +
    "password may have leaked, change it.",
  unsupported: "I only understand text. Please write your question in words.",
  feedbackQuestion: "Did that help?",
  helpedYes: "Glad to help! If anything else comes up, just write.",
  clarify: "I'm not sure I understood. Choose what the question is about, or call a specialist:",
  askSelfOrUs: "To be sure: do you want us to do it, or are you asking how to do it yourself?",
  kbUnknown:
    "I don't have an exact answer to that, and I won't guess. I can call a specialist who will help.",
  howtoUnknown:
    "I don't have step-by-step instructions for that. A specialist can show you where the function is in the " +
    "panel, here in the chat or {byPhone}. Shall I call a specialist?",
  empathy: "I understand how unpleasant this is.",
  refuseBalance:
    "I can't tell the balance in the chat: here I can't confirm you are the account owner. You can check the " +
    "balance {byPhone}, and settle a balance question with a ticket from the {panel}.",
  refuseMoney:
    "Money can't be unblocked or refunded from the chat: it needs the owner's authorization. File a ticket " +
    "from the {panel}, or, without panel access, email us {toEmail} with your login, contract number or domain.",
  refuseChange:
    "Account data ({what}) can't be changed from the chat: only by the owner's ticket from the {panel}. " +
    "Without panel access, email us {toEmail} with your login, contract number or domain.",
  refuseAccess:
    "Access can't be restored from the chat: here I can't confirm the account is yours. If you can't log in " +
    "to the panel, email us {toEmail} and start with your login, contract number or domain.",
  refuseOwner:
    "The owner can't be confirmed in the chat: it is an unauthorized channel. You can check the account " +
    "owner {byPhone}; changes go only through a ticket from the {panel}.",
  refuseDisclose:
    "I don't give out account data ({what}) in the chat: here I can't confirm you are the owner. You can see " +
    "it in the {panel} or request it with a ticket from there.",
  refuseAction:
    "That is an action on the account ({what}), and this chat is an unauthorized channel, so it can't be done " +
    "here. File a ticket from the {panel}; without panel access, email us {toEmail} with your login, contract number or domain.",
  refuseAgain:
    "That too goes only through a ticket from the {panel} (or an email {toEmail} if the panel is out of reach).",
  refuseAgainNamed:
    "That is an action on the account too ({what}): only through a ticket from the {panel} (or an email " +
    "{toEmail} if the panel is out of reach).",
  refuseGuest:
    "Actions on an account and its data are for the owner only: from the {panel}, or by email {toEmail} " +
    "with the login, contract number or domain.",
  technicalAdvice:
    "This needs analysis, so a ticket from the {panel} works best: describe step by step what you do and " +
    "what happens, and add error texts and codes, screenshots, links, when and how often it happens. " +
    "Tickets are processed within an hour. If you like, I'll connect you with a specialist now.",
  technicalAdviceGuest:
    "Please describe step by step what you do and what happens: error texts and codes, links, the time. " +
    "I can connect you with a specialist right now.",
  billingAdvice:
    "Other departments handle this (finance, domains, documents), so file a ticket from the {panel}: it " +
    "reaches the right department. The answer arrives in the «Support» section and at the account's " +
    "admin email; to send it to, say, your accountant, give that address in the ticket. I can also call a specialist.",
  billingAdviceGuest:
    "Our finance and domain departments handle this. I can call a specialist who will advise you.",
  urgentHandoff:
    "I understand it's urgent: passing it to a specialist first. For an urgent matter you can also " +
    "call us {byPhone}: have your login, contract number or domain ready.",
  urgentAskLogin: "While the specialist connects, send your account login, contract number or domain.",
  askTicket:
    "Send the ticket number in digits. For a ticket sent by email, the last 6 digits of the number from " +
    "the confirmation email are enough.",
  ticketBad: "A ticket number is digits, e.g. 123456. Send it again, or press «No number».",
  ticketHandoff:
    "Ticket No. {ticket}: passing it to a specialist to check the status. Tickets are processed within an " +
    "hour, and we warn you if it takes longer.",
  ticketNoNumber:
    "All right, I'll pass it on without a number. Tickets are processed within an hour, and we warn you if " +
    "it takes longer.",
  alreadyQueued: "Your question is already with our specialists. To stop waiting, press «Stop waiting».",
  alreadyWithAgent: "You are already talking to a specialist: just write.",
  cancelled: "All right, cancelled. If a question comes up, just write.",
  cancelledLogin: "All right. Write when you need help.",
  cancelledWait: "Waiting cancelled. If the question remains, write and I'll help.",
  agentChatEnded: "The conversation with the specialist has ended. If a question comes up, just write.",
  agentClaimed: "Specialist {name} has joined and will answer soon.",
  askRating: "The specialist has closed the conversation. Please rate the help from 1 to 5.",
  ratingThanks: "Thank you for the rating! If anything else comes up, just write.",
  queuePosition: "I've passed your question to our specialists. Your place in the queue: {position}.",
  queueWait: "Expected wait: about {minutes} min.",
  queueWaitUnknown: "A specialist will answer here as soon as one is free.",
  queueAfterHours:
    "It's outside working hours now: specialists are back {backAt} and will answer here. If it's urgent, " +
    "{call}. What needs analysis or authorization is best sent as a ticket from the {panel}.",
  queueUnserved:
    "No specialist is available in the chat right now. I've saved your question: they'll answer here once " +
    "they connect. If it's urgent, {call}; what needs analysis or authorization, as a ticket from the {panel}.",
  queueAfterHoursGuest:
    "It's outside working hours now: specialists are back {backAt} and will answer here. If it's urgent, {call}.",
  queueUnservedGuest:
    "No specialist is available in the chat right now. I've saved your question: they'll answer here once " +
    "they connect. If it's urgent, {call}.",
  queueHint: "While you wait, you can add details: I'll pass them to the specialist.",
  queueTaken: "A specialist has taken your question and will answer soon.",
  waitAck: "Passed to the specialist.",
  handoffLimit:
    "You have called a specialist several times in the last hour. Describe the question here and I'll try " +
    "to help, or try again later. For an urgent matter, {call}.",
  floodNotice: "You are writing very fast and I can't keep up. Wait a little and send the message again.",
  agentPrefix: "👤 Specialist: ",
  smallHello: "Hello! How can I help?",
  smallThanks: "You're welcome! Write any time you need something.",
  smallOk: "All right. If a question comes up, just write.",
  smallBye: "Goodbye, all the best!",
  btnNoAccount: "No account",
  btnForgotLogin: "Forgot my login",
  btnYes: "Yes",
  btnNeedHuman: "I need a specialist",
  btnConnect: "Connect me with a specialist",
  btnOperator: "Specialist",
  btnCancelWait: "Stop waiting",
  btnNoTicket: "No number",
  btnTicketHowto: "What to write in a ticket",
  btnAskUs: "Do it for me",
  btnAskSelf: "How to do it myself",
  catGeneral: "General question",
  catAccountAction: "Account action",
  catTechnical: "Technical problem",
  catBilling: "Payments and documents",
  catUrgent: "Urgent: site or hack",
  catTicketStatus: "My ticket",
  catOperator: "Specialist",
  whatOwner: "owner",
  whatRequisites: "requisites",
  whatContacts: "contacts",
  whatPassword: "password",
  whatLogin: "login",
  whatContract: "contract number",
  whatData: "data",
  whatDomain: "domain",
  whatAccount: "account",
  whatServices: "services",
  whatTariff: "plan",
  support: "support",
  byPhoneNone: "by our support phone",
  byPhoneSome: "by phone at {phone}",
  callNone: "call our support phone",
  callSome: "call us at {phone}",
  toEmailNone: "to the support email",
  toEmailSome: "to {email}",
  panelNone: "control panel",
  panelSome: "control panel ({panelUrl})",
  supportSome: "{name} support",
};
