/**
 * The knowledge base as data: entries built only from the provider's help article
 * (`seed/support-channels.ru.txt`). Operators edit this file; `loadKnowledgeBase` validates it at
 * start-up. Kept as a `.ts` module (not JSON read from disk) so `flows/` stays free of I/O.
 * Questions may be in either language: matching is by stems, and answers carry both locales.
 */
export const KNOWLEDGE_BASE_DATA: unknown = [
  {
    id: "channels",
    questions: [
      "как связаться с поддержкой",
      "как лучше обратиться в службу поддержки",
      "какие есть способы обращения в поддержку",
      "куда писать если есть вопрос",
      "какой канал выбрать для вопроса",
      "по какому каналу лучше писать",
      "how can I contact support",
      "which support channel should I use",
    ],
    answer: {
      ru:
        "Связаться с поддержкой можно из панели управления (заявка), по электронной почте, по телефону и в чате. Что выбрать:\n" +
        "• заявка из панели — вопросы, которым нужен подробный анализ, работа других отделов, авторизация владельца или изменение данных;\n" +
        "• email — если доступа к панели нет (в начале письма укажите логин, номер договора или домен);\n" +
        "• телефон — срочные и короткие вопросы, функции панели, вопросы по заявке;\n" +
        "• чат — общие вопросы, не требующие авторизации. Кроме чата на сайте, можно написать во ВКонтакте или в Telegram.",
      en:
        "You can contact support from the control panel (a ticket), by email, by phone and in chat. Which to choose:\n" +
        "• a panel ticket: questions that need detailed analysis, other departments, the owner's authorization, or changes of data;\n" +
        "• email: when you cannot reach the panel (start with your login, contract number or domain);\n" +
        "• phone: urgent and short questions, panel features, questions about a ticket;\n" +
        "• chat: general questions that need no authorization. Besides the chat on the site, you can write in VK or Telegram.",
    },
  },
  {
    id: "when_panel_ticket",
    questions: [
      "когда нужно писать заявку из панели управления",
      "в каких случаях нужна заявка из панели",
      "зачем писать заявку а не в чат",
      "when should I file a ticket from the control panel",
    ],
    answer: {
      ru:
        "Пишите заявку из панели управления, если:\n" +
        "• нужен длительный анализ (не работает почта, сайт долго загружается, превышение нагрузки);\n" +
        "• вопрос касается других отделов — финансового, доменного, отдела документов (проверка платежа, финансовые документы, SSL-сертификат не выпустился);\n" +
        "• нужна авторизация владельца аккаунта или домена (не добавляется домен, разблокировать деньги, вопрос по балансу);\n" +
        "• нужно изменить информацию (переоформление аккаунта, смена владельца домена, изменение реквизитов, восстановление доступа).",
      en:
        "File a ticket from the control panel when:\n" +
        "• it needs a long analysis (mail not working, slow pages, load exceeded);\n" +
        "• it involves other departments: finance, domains, documents (checking a payment, financial documents, an SSL certificate not issued);\n" +
        "• it needs the account or domain owner's authorization (a domain cannot be added, unblocking money, a balance question);\n" +
        "• data must change (re-registering the account, a new domain owner, new requisites, restoring access).",
    },
  },
  {
    id: "ticket_time",
    questions: [
      "сколько времени обрабатывается заявка",
      "как быстро ответят на заявку",
      "сколько ждать ответа поддержки",
      "за какое время рассматривают обращение",
      "how long does a ticket take",
      "how fast do you answer tickets",
    ],
    answer: {
      ru: "Заявки обрабатываются в течение часа. Если для решения вопроса нужно больше времени, поддержка предупредит об этом.",
      en: "Tickets are processed within an hour. If a question needs more time, support will let you know.",
    },
  },
  {
    id: "answer_where",
    questions: [
      "куда придет ответ на заявку",
      "где смотреть ответ поддержки",
      "где найти раздел поддержка в панели",
      "где будет ответ на обращение",
      "where will the answer to my ticket arrive",
      "where is the support section",
    ],
    answer: {
      ru:
        "Ответ по заявке отправляется в раздел «Поддержка» панели управления и на административный email аккаунта. " +
        "Если ответ нужен на другой адрес, например бухгалтеру или разработчику, укажите этот email в заявке.",
      en:
        "The answer to a ticket goes to the «Support» section of the control panel and to the account's admin email. " +
        "If it should go to another address, for example your accountant's or developer's, put that email in the ticket.",
    },
  },
  {
    id: "answer_other_address",
    questions: [
      "можно получить ответ на другой email",
      "пусть ответ придет бухгалтеру или разработчику",
      "можно ли чтобы ответ по заявке пришел бухгалтеру",
      "ответ на другую почту",
      "can the answer go to another email address",
    ],
    answer: {
      ru:
        "Да. Если заявка отправлена из панели управления, а ответ нужен на другой адрес — например, бухгалтеру или разработчику, — укажите этот email в тексте заявки. " +
        "Иначе ответ придёт в раздел «Поддержка» панели и на административный email аккаунта.",
      en:
        "Yes. If you file the ticket from the control panel but need the answer at another address, for example your accountant's or developer's, put that email in the ticket. " +
        "Otherwise the answer goes to the panel's «Support» section and the account's admin email.",
    },
  },
  {
    id: "no_panel_access",
    questions: [
      "нет доступа к панели управления как написать в поддержку",
      "а если у меня нет доступа к панели",
      "как написать на почту поддержки",
      "что указать в письме в поддержку",
      "не могу зайти в панель куда писать",
      "I cannot access the control panel how do I contact support",
      "what to put in an email to support",
    ],
    answer: {
      ru:
        "Если доступа к панели управления нет, напишите на email поддержки. В начале письма укажите логин аккаунта, номер договора или домен — без этого ответ будет обобщённым. " +
        "В течение 1–2 минут придёт письмо с номером заявки; ответом на него можно прислать дополнительную информацию.",
      en:
        "If you cannot reach the control panel, write to the support email. Start the letter with your account login, contract number or domain; without them the answer will be generic. " +
        "Within 1–2 minutes a letter with the ticket number arrives; you can reply to it with more details.",
    },
  },
  {
    id: "ticket_number_email",
    questions: [
      "когда придет письмо с номером заявки",
      "не пришло письмо с номером заявки",
      "как получить номер заявки после письма",
      "как дополнить заявку отправленную по почте",
      "when will I get the ticket number by email",
    ],
    answer: {
      ru:
        "В течение 1–2 минут после отправки письма на email придёт письмо с номером заявки. Ответом на это письмо можно отправить дополнительную информацию. " +
        "Если письмо с номером не пришло, проверьте адрес получателя.",
      en:
        "Within 1–2 minutes after you send your email, a letter with the ticket number arrives. You can reply to it with more information. " +
        "If it does not arrive, check the recipient address.",
    },
  },
  {
    id: "check_status",
    questions: [
      "как узнать статус заявки",
      "как проверить статус обращения",
      "где посмотреть что с заявкой",
      "how do I check the status of a ticket",
    ],
    answer: {
      ru:
        "Статус заявки можно проверить по телефону или в чате, сообщив номер заявки. Если заявка отправлена по email, по телефону назовите последние 6 цифр её номера. " +
        "Здесь я тоже могу передать номер вашей заявки специалисту: просто напишите «статус заявки».",
      en:
        "You can check a ticket's status by phone or in chat by giving the ticket number. For a ticket sent by email, give the last 6 digits of its number on the phone. " +
        "I can also pass your ticket number to a specialist here: just write «ticket status».",
    },
  },
  {
    id: "phone",
    questions: [
      "можно позвонить в поддержку",
      "когда лучше звонить по телефону",
      "какой у вас телефон",
      "что подготовить перед звонком",
      "can I call support by phone",
      "what should I prepare before calling",
    ],
    answer: {
      ru:
        "Позвонить нам можно {byPhone}. Звоните, если вопрос:\n" +
        "• требует оперативного решения: сайт не работает, аккаунт взломан, нужно продлить домен;\n" +
        "• связан с функциями панели управления: найти нужную функцию, сверить владельца аккаунта;\n" +
        "• относится к заявке: проверить статус, задать дополнительные вопросы.\n" +
        "Перед звонком подготовьте логин, номер договора, домен или данные владельца (например, ИНН организации). " +
        "Обращение по телефону не авторизованное, поэтому сотрудник может сообщить лишь ограниченную информацию.",
      en:
        "You can call us {byPhone}. Call when the question:\n" +
        "• needs a quick fix: site down, account hacked, a domain to renew;\n" +
        "• is about the control panel's features: finding a function, checking the account owner;\n" +
        "• is about a ticket: checking its status, asking more questions.\n" +
        "Before calling, have your login, contract number, domain or the owner's details (for example the company's tax id) ready. " +
        "A phone call is not authorized, so the information the specialist can give is limited.",
    },
  },
  {
    id: "chat_messengers",
    questions: [
      "можно ли написать в поддержку через вконтакте или телеграм",
      "какие вопросы можно задать в чате",
      "можно написать вам в вк или telegram",
      "do you have VK or Telegram",
      "what can I ask in the chat",
    ],
    answer: {
      ru:
        "Да: кроме чата на сайте, с поддержкой можно связаться через ВКонтакте или в Telegram. Чат подходит для общих вопросов, не требующих авторизации, " +
        "или если вы сомневаетесь, какой способ обращения выбрать. В начале обращения укажите логин аккаунта и опишите ситуацию. " +
        "Чат не авторизованный: сотрудник не сможет назвать конфиденциальную информацию или выполнить действия в аккаунте.",
      en:
        "Yes: besides the chat on the site, you can reach support through VK or Telegram. The chat suits general questions that need no authorization, " +
        "or when you are unsure which channel to choose. Start with your account login and describe the situation. " +
        "The chat is not authorized: the specialist cannot disclose confidential information or act on the account.",
    },
  },
  {
    id: "ticket_contents",
    questions: [
      "что написать в заявке",
      "что указать в заявке",
      "что приложить к заявке",
      "какие сведения добавить в обращение",
      "какие данные добавить в заявку чтобы ее решили быстрее",
      "как правильно составить обращение",
      "what should I put in a ticket",
    ],
    answer: {
      ru:
        "В тексте заявки подробно опишите ситуацию. Если возникает ошибка, пошагово опишите, какие действия к какому результату приводят. Дополнительно можно указать:\n" +
        "• тексты;\n• коды ошибок;\n• скриншоты;\n• ссылки с ошибками;\n• время возникновения ошибки;\n• частоту повторения.",
      en:
        "Describe the situation in detail. If there is an error, describe step by step which actions lead to which result. You can also add:\n" +
        "• texts;\n• error codes;\n• screenshots;\n• links with errors;\n• when the error happened;\n• how often it repeats.",
    },
  },
  {
    id: "unauthorized_channels",
    questions: [
      "чем заявка из панели отличается от чата",
      "почему в чате не могут поменять данные аккаунта",
      "почему нужно писать заявку а не звонить",
      "что значит неавторизованный канал",
      "why can't you change my account in the chat",
      "what is the difference between a ticket and the chat",
    ],
    answer: {
      ru:
        "Заявка из панели управления — авторизованный канал: её отправляет владелец аккаунта, поэтому по ней можно менять данные и обсуждать конфиденциальные вопросы. " +
        "Чат и телефон — не авторизованные: собеседника нельзя проверить, поэтому сотрудник не может назвать конфиденциальную информацию или выполнить действия в аккаунте. " +
        "Большинство технических вопросов решается по авторизованной заявке из аккаунта.",
      en:
        "A ticket from the control panel is the authorized channel: the account owner sends it, so data can be changed and confidential matters discussed. " +
        "Chat and phone are unauthorized: the other side cannot be verified, so staff cannot disclose confidential information or act on the account. " +
        "Most technical questions are solved through an authorized ticket from the account.",
    },
  },
  {
    id: "panel_features",
    questions: [
      "как найти нужную функцию в панели управления",
      "где в панели управления настройка",
      "как самому сменить пароль почты через панель",
      "как сделать в панели управления",
      "how do I find a feature in the control panel",
    ],
    answer: {
      ru:
        "С функциями панели управления поможет специалист — в этом чате или {byPhone}: он подскажет, где найти нужную функцию. " +
        "Действие в аккаунте вы выполняете сами в панели; если что-то не получается, напишите заявку из {panel}. Могу позвать специалиста — нажмите «Нужен специалист».",
      en:
        "A specialist will help with the control panel's features, here in the chat or {byPhone}, and show where the function is. " +
        "You perform the action in the panel yourself; if something does not work, file a ticket from the {panel}. I can call a specialist: press «I need a specialist».",
    },
  },
  {
    id: "hours",
    questions: [
      "поддержка отвечает круглосуточно или по графику",
      "часы работы поддержки",
      "когда работает поддержка",
      "are you available 24/7",
      "what are your working hours",
    ],
    answer: {
      ru:
        "Я, бот, отвечаю в любое время. Заявки из панели управления обрабатываются в течение часа. " +
        "Если вы позовёте специалиста в нерабочее время, я скажу, когда специалисты вернутся, и подскажу, что делать со срочным вопросом.",
      en:
        "I, the bot, answer at any time. Tickets from the control panel are processed within an hour. " +
        "If you call a specialist outside working hours, I will tell you when specialists are back and what to do with an urgent question.",
    },
  },
  {
    id: "balance_howto",
    questions: [
      "как узнать баланс",
      "где посмотреть баланс",
      "как пополнить баланс",
      "как уточнить сколько денег на счете",
      "вопрос по балансу куда обращаться",
      "how do I check my balance",
      "how can I top up the balance",
    ],
    answer: {
      ru:
        "Уточнить баланс можно {byPhone} — приготовьте логин, номер договора или домен. Вопрос по балансу, который требует " +
        "разбирательства (например, разблокировать деньги), решается заявкой из {panel}: нужна авторизация владельца. В этом чате баланс не называют — он неавторизованный.",
      en:
        "You can check the balance {byPhone}: have your login, contract number or domain ready. A balance question that needs looking into " +
        "(for example, unblocking money) is settled with a ticket from the {panel}: it needs the owner's authorization. The balance is not given in this chat: it is unauthorized.",
    },
  },
  {
    id: "account_changes_howto",
    questions: [
      "как сменить владельца аккаунта",
      "как поменять реквизиты",
      "как переоформить аккаунт",
      "как сменить владельца домена",
      "как восстановить доступ к аккаунту",
      "как изменить данные владельца",
      "how do I change the account owner",
      "how can I restore access to my account",
    ],
    answer: {
      ru:
        "Переоформление аккаунта, смена владельца домена, изменение реквизитов и восстановление доступа делаются по заявке из {panel}: " +
        "это изменение информации, и нужна авторизация владельца. Если доступа к панели нет, напишите {toEmail} и в начале письма " +
        "укажите логин аккаунта, номер договора или домен — без них ответ будет обобщённым.",
      en:
        "Re-registering the account, a new domain owner, new requisites and restoring access are done through a ticket from the {panel}: " +
        "data changes need the owner's authorization. Without panel access, email us {toEmail} and start with the account login, " +
        "contract number or domain; without them the answer will be general.",
    },
  },
];
