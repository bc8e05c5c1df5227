/** Which detector a rule speaks for. */
export type AttackKind = 'injection' | 'jailbreak';

/** One heuristic: a precompiled regex, the detector it feeds, its family and its prior weight (0..1). */
export interface Rule {
  id: string;
  kind: AttackKind;
  family: Family;
  weight: number;
  re: RegExp;
}

/** Rule families; each is one dense feature of the classifier, so the order is part of the model format. */
export const FAMILIES = [
  'override',
  'extraction',
  'fake_turn',
  'indirect',
  'hidden',
  'exfiltration',
  'multilingual',
  'persona',
  'refusal_suppression',
  'jailbreak_mode',
  'framing',
] as const;
export type Family = (typeof FAMILIES)[number];

// Bounded gaps keep every pattern linear in the text length: no nested unbounded quantifiers anywhere.
const GAP = '[^.!?\\n]{0,40}?';
const VERB_IGNORE =
  "(?:ignore|disregard|forget|skip|override|bypass|discard|abandon|neglect|overlook|set aside|pay no attention to|do not follow|don't follow|stop following|no longer follow|throw out|erase|delete|clear)";
const TARGET =
  '(?:instructions?|prompts?|directions?|rules|guidelines|commands?|orders|context|messages?|guidance|constraints|programming|directives?|restrictions|policies|settings|tasks?|requests?|training)';
const AI =
  '(?:ai|a\\.i\\.|llm|language model|assistant|chatbot|chat ?gpt|gpt-?\\d?|copilot|claude|gemini|bot)s?';
const HIDE = "(?:do not|don't|never|without)\\s+(?:tell|inform|mention|reveal|let|alert|notify)";

function r(id: string, kind: AttackKind, family: Family, weight: number, src: string, flags = 'gi'): Rule {
  return { id, kind, family, weight, re: new RegExp(src, flags) };
}

/** The rule table. Weights are priors for heuristics-only mode; the classifier learns its own trust. */
export const RULES: readonly Rule[] = [
  r(
    'ignore_previous',
    'injection',
    'override',
    0.9,
    `\\b${VERB_IGNORE}\\b${GAP}\\b(?:previous|prior|above|preceding|earlier|original|initial|all|your|system|existing|old)\\b${GAP}\\b${TARGET}\\b`,
  ),
  r(
    'ignore_the_above',
    'injection',
    'override',
    0.85,
    `\\b${VERB_IGNORE}\\s+(?:all\\s+)?(?:the|these|those|any)\\s+${TARGET}\\s+(?:above|before|given|so far|you (?:were|have been|got) given)\\b`,
  ),
  r(
    'ignore_everything',
    'injection',
    'override',
    0.85,
    `\\b(?:ignore|forget|disregard)\\s+(?:everything|all|anything|what)\\b${GAP}\\b(?:told|said|above|before|previously|so far|earlier|given|instructed|learned)\\b`,
  ),
  r(
    'ignore_the_doc',
    'injection',
    'override',
    0.75,
    `\\b(?:ignore|disregard|forget)\\s+(?:the|this|that)\\s+(?:above\\s+)?(?:function|code|webpage|page|document|text|email|article|resume|table|file|content|data|question|task|input|passage|review|message)\\b`,
  ),
  r(
    'new_instructions',
    'injection',
    'override',
    0.7,
    `\\b(?:new|updated|real|actual|true|revised|additional|secret|hidden|override|urgent|important)\\s+(?:system\\s+)?(?:instructions?|task|directives?|orders|prompt|rules)\\s*(?:[:\\-]|are|is)`,
  ),
  r(
    'from_now_on',
    'injection',
    'override',
    0.45,
    `\\b(?:from now on|henceforth|for the rest of this conversation|for all future (?:responses|answers))\\b`,
  ),
  r(
    'instead_do',
    'injection',
    'override',
    0.45,
    `\\binstead\\s*,?\\s+(?:you (?:should|must|will|need to)|please|just|simply|only|now)\\b`,
  ),
  r(
    'priority_claim',
    'injection',
    'override',
    0.6,
    `\\b(?:(?:this|these) (?:instructions? )?(?:is|are|has|have|takes?) (?:a )?(?:higher|top|highest|absolute|overriding) priority|system (?:override|update|notice|message|alert|administrator)\\s*[:\\-!]|admin(?:istrator)? (?:override|mode|access)|(?:important|urgent|attention|critical|warning)\\s*[:!]+\\s*(?:new |updated )?(?:instructions?|message|notice|update)\\b)`,
  ),
  r(
    'stop_task',
    'injection',
    'override',
    0.55,
    `\\b(?:stop|cease|abort|halt|quit)\\s+(?:what you(?:'re| are) doing|the (?:current|previous) task|summari[sz]ing|translating|answering|your (?:current )?task)\\b`,
  ),
  r(
    'reveal_prompt',
    'injection',
    'extraction',
    0.8,
    `\\b(?:reveal|repeat|print|output|show|display|tell me|give me|share|leak|disclose|write out|recite|dump|spell out|what (?:is|are|was|were))\\b${GAP}\\b(?:your|the|my)\\s+(?:(?:initial|original|system|hidden|secret|previous|full|entire|first|exact|confidential|internal)\\s+){1,2}(?:prompts?|instructions?|message|rules|configuration|key|password|passphrase|code|words|text|directives?|guidelines)\\b`,
  ),
  r(
    'secret_question',
    'injection',
    'extraction',
    0.6,
    `\\bwhat(?:'s| is| are| was)\\s+(?:your|the)\\s+(?:secret|password|passphrase|api key|hidden|private|confidential)\\b`,
  ),
  r(
    'repeat_above',
    'injection',
    'extraction',
    0.75,
    `\\b(?:repeat|print|output|return|recite|spell out|copy|reproduce|echo)\\b${GAP}\\b(?:words|text|everything|all|content|instructions|lines|sentences|prompt)\\s+(?:above|before|preceding|prior|so far)\\b`,
  ),
  r(
    'starting_with',
    'injection',
    'extraction',
    0.55,
    `\\b(?:starting|beginning|start) with\\s+["'\u201c]?(?:you are|your instructions|system)\\b`,
  ),
  r(
    'chat_tokens',
    'injection',
    'fake_turn',
    0.85,
    `<\\|(?:im_start|im_end|system|assistant|user|endoftext|eot_id|start_header_id)\\|>|\\[\\/?INST\\]|<<\\/?SYS>>|<\\/?(?:system|instructions?)>`,
  ),
  r(
    'markdown_turn',
    'injection',
    'fake_turn',
    0.6,
    `(?:^|\\n)\\s*#{2,4}\\s*(?:instruction|system|response|assistant|new task|human)s?\\s*:?[ \\t]*(?:\\n|$)`,
  ),
  r(
    'role_label',
    'injection',
    'fake_turn',
    0.5,
    `(?:^|\\n)\\s*(?:system|assistant|\\[system\\]|\\(system\\))\\s*:\\s*\\S`,
  ),
  r(
    'end_of_input',
    'injection',
    'fake_turn',
    0.6,
    `\\b(?:end of (?:the )?(?:document|email|text|input|context|conversation|user input|prompt)|begin(?:ning of)? (?:new |the real )?(?:instructions|system prompt))\\b`,
  ),
  r(
    'address_ai',
    'injection',
    'indirect',
    0.6,
    `\\b(?:note to|attention|dear|hey|hi|hello|message for|instructions? for|if you are an?|to any|to the|as an?)\\s+(?:the\\s+)?(?:ai|llm|language model|assistant|chatbot|chat ?gpt|copilot|bot|model|automated system|summari[sz]er)s?\\b(?:\\s+(?:reading|processing|summari[sz]ing|parsing) (?:this|the))?`,
  ),
  r(
    'ai_imperative',
    'injection',
    'indirect',
    0.55,
    `\\b${AI}\\s*[,:]\\s*(?:please\\s+)?(?:ignore|disregard|forget|you must|you should|do not|don't|always|never|make sure|remember|include|add|append|insert|tell|respond|reply|answer|say|output|write|stop|rate|rank|recommend|classify|approve|give|send|visit|click|run|execute|delete|summari[sz]e|translate|inform|claim|state)\\b`,
  ),
  r(
    'tell_reader',
    'injection',
    'indirect',
    0.5,
    `\\b(?:tell|inform|remind|urge|instruct|encourage|convince|persuade|warn|notify|ask)\\s+(?:the |all |every )?(?:readers?|users?|recipients?|customers?|visitors?|humans?|viewers?)\\b${GAP}\\b(?:to|that)\\b`,
  ),
  r(
    'in_your_response',
    'injection',
    'indirect',
    0.45,
    `\\b(?:include|add|append|insert|mention|put|embed|prepend|attach|end|start|begin)\\b[^.!?\\n]{0,80}?\\b(?:in|to|into|at the end of|at the (?:start|beginning) of|with)\\s+(?:your|the|each|every|all)\\s+(?:response|answer|reply|output|summary|summaries|replies|responses|translation)s?\\b`,
  ),
  r(
    'end_of_response',
    'injection',
    'indirect',
    0.4,
    `\\bat the (?:very )?(?:end|beginning|start|bottom|top) of (?:your|the|each|every) (?:response|answer|reply|output|summary|translation)s?\\b`,
  ),
  r(
    'when_processing',
    'injection',
    'indirect',
    0.5,
    `\\bwhen (?:you(?:'re| are)? )?(?:summari[sz]|translat|answer|respond|repl|process|read|analy[sz])\\w*\\b${GAP}\\b(?:you (?:must|should|will)|always|also|make sure|include|add|tell|say|mention|append)\\b`,
  ),
  r(
    'format_hijack',
    'injection',
    'indirect',
    0.35,
    `\\b(?:write|respond|reply|answer|output|translate|speak)\\b[^.!?\\n]{0,30}?\\b(?:entirely|only|exclusively|solely)\\s+in\\s+(?:pirate|base64|rot13|leetspeak|emojis?|pig latin|reverse|upper ?case|all caps|morse|hex|\\w+ speak)\\b`,
  ),
  r(
    'respond_only',
    'injection',
    'indirect',
    0.5,
    `\\b(?:only|just)\\s+(?:output|say|respond with|reply with|print|write|answer with|return)\\s*["'\u201c:]|\\bi have been pwned\\b`,
  ),
  r(
    'hide_from_user',
    'injection',
    'indirect',
    0.6,
    `\\b${HIDE}\\s+(?:the |this to the )?(?:user|human|reader|recipient|operator)\\b`,
  ),
  r(
    'html_comment_cmd',
    'injection',
    'hidden',
    0.7,
    `<!--[^>]{0,300}?\\b(?:ignore|disregard|instructions?|assistant|ai|you must|do not|tell|respond|reply|system|state|say)\\b`,
  ),
  r(
    'hidden_style',
    'injection',
    'hidden',
    0.35,
    `(?:display\\s*:\\s*none|visibility\\s*:\\s*hidden|font-size\\s*:\\s*0(?:px)?\\b|opacity\\s*:\\s*0\\b|color\\s*:\\s*(?:white|#fff(?:fff)?)\\b|aria-hidden="true")`,
  ),
  r(
    'code_comment_cmd',
    'injection',
    'hidden',
    0.65,
    `(?:\\/\\/|#|\\/\\*|--|\\*)\\s*(?:(?:note|attention|hey|dear)\\s+(?:to\\s+)?)?(?:${AI}|ignore|disregard|forget|do not|instead)\\b[^\\n]{0,60}?\\b(?:instructions?|above|previous|user|output|state|say|respond|tell|function|code)\\b`,
  ),
  r(
    'visit_url',
    'injection',
    'exfiltration',
    0.4,
    `\\b(?:visit|go to|click(?: on)?|navigate to|check out|download (?:it )?from|sign up at|log ?in at|follow this link)\\b[^\\n]{0,20}?(?:https?:\\/\\/|www\\.)\\S`,
  ),
  r(
    'markdown_image_exfil',
    'injection',
    'exfiltration',
    0.7,
    `!\\[[^\\]\\n]{0,100}\\]\\(\\s*https?:\\/\\/[^)\\s]{1,200}\\?[^)\\s]{0,200}\\)`,
  ),
  r(
    'send_data',
    'injection',
    'exfiltration',
    0.6,
    `\\b(?:send|forward|email|post|upload|exfiltrate|leak|transmit)\\b${GAP}\\b(?:conversation|chat history|previous messages|user'?s? (?:data|password|credentials|emails?)|api keys?|credentials)\\b${GAP}\\b(?:to|at)\\b`,
  ),
  r(
    'ml_es_pt_it',
    'injection',
    'multilingual',
    0.8,
    `\\b(?:ignora|ignore|ignorar|olvida|olvide|descarta|omite|esque\u00e7a|desconsidere|dimentica|trascura)\\w*\\b[^.!?\\n]{0,30}?(?:instrucciones|indicaciones|reglas|instru\u00e7\u00f5es|regras|istruzioni|regole|orienta\u00e7\u00f5es)`,
  ),
  r(
    'ml_fr_de',
    'injection',
    'multilingual',
    0.8,
    `\\b(?:ignore[rz]?|oublie[rz]?|ignorier\\w*|vergiss\\w*|vergessen)\\b[^.!?\\n]{0,30}?(?:instructions|consignes|r\u00e8gles|directives|anweisungen|instruktionen|regeln|vorgaben)`,
  ),
  r(
    'ml_ru',
    'injection',
    'multilingual',
    0.8,
    `(?:\u0438\u0433\u043d\u043e\u0440\u0438\u0440\u0443|\u0437\u0430\u0431\u0443\u0434|\u043f\u0440\u043e\u0438\u0433\u043d\u043e\u0440\u0438\u0440\u0443|\u043d\u0435 \u043e\u0431\u0440\u0430\u0449\u0430)[^.!?\\n]{0,40}?(?:\u0438\u043d\u0441\u0442\u0440\u0443\u043a\u0446|\u0443\u043a\u0430\u0437\u0430\u043d\u0438|\u043f\u0440\u0430\u0432\u0438\u043b)`,
  ),
  r(
    'ml_cjk',
    'injection',
    'multilingual',
    0.8,
    `(?:\u5ffd\u7565|\u5ffd\u89c6|\u65e0\u89c6|\u5fd8\u8bb0|\u5fd8\u6389|\u4e0d\u8981\u7406\u4f1a)[^\u3002\uff01\uff1f\\n]{0,20}?(?:\u6307\u4ee4|\u6307\u793a|\u8bf4\u660e|\u89c4\u5219|\u63d0\u793a|\u547d\u4ee4)|(?:\u6307\u793a|\u547d\u4ee4|\u30eb\u30fc\u30eb|\uc9c0\uc2dc|\uc9c0\uce68|\uba85\ub839|\uaddc\uce59)[^\u3002\\n]{0,12}?(?:\u7121\u8996|\u5fd8\u308c|\ubb34\uc2dc|\uc78a)`,
  ),
  r(
    'ml_other',
    'injection',
    'multilingual',
    0.8,
    `(?:\u062a\u062c\u0627\u0647\u0644|\u0627\u0646\u0633|\u0623\u0647\u0645\u0644)[^.\\n]{0,40}?(?:\u0627\u0644\u062a\u0639\u0644\u064a\u0645\u0627\u062a|\u0627\u0644\u0625\u0631\u0634\u0627\u062f\u0627\u062a|\u0627\u0644\u0642\u0648\u0627\u0639\u062f)|(?:b\u1ecf qua|qu\u00ean|ph\u1edbt l\u1edd)[^.\\n]{0,30}?(?:h\u01b0\u1edbng d\u1eabn|ch\u1ec9 d\u1eabn|quy t\u1eafc)|(?:abaikan|lupakan|huwag pansinin|kalimutan|balewalain)[^.\\n]{0,30}?(?:instruksi|petunjuk|aturan|perintah|tagubilin|instruksyon|panuto)|(?:yok say|unut)[^.\\n]{0,30}?(?:talimat|kurallar)`,
  ),
  r(
    'persona_switch',
    'jailbreak',
    'persona',
    0.4,
    `\\b(?:you are now|you're now|you will now (?:be|act)|from now on,? you (?:are|will (?:be|act|respond|answer))|pretend (?:to be|you are|that you(?:'re| are))|roleplay as|role-play as|you are going to (?:act|pretend|be)|stay in character|immerse yourself into the role)\\b`,
  ),
  r(
    'named_jailbreak',
    'jailbreak',
    'jailbreak_mode',
    0.85,
    `\\b(?:DAN|STAN|DUDE|AIM|BetterDAN|AntiGPT|UCAR|KEVIN|Mongo Tom)\\b`,
    'g',
  ),
  r(
    'jailbreak_mode',
    'jailbreak',
    'jailbreak_mode',
    0.85,
    `\\b(?:do anything now|developer mode|dev mode|jailbroken|god mode|opposite mode|evil (?:confidant|bot|mode|ai|twin)|unfiltered (?:ai|mode|response)|always intelligent and machiavellian|switch(?:ed)? to (?:\\w+ )?mode)\\b`,
  ),
  r('jailbreak_word', 'jailbreak', 'jailbreak_mode', 0.3, `\\bjailbreak(?:ing|s)?\\b`),
  r(
    'no_restrictions',
    'jailbreak',
    'refusal_suppression',
    0.6,
    `\\b(?:no|without|free of|free from|doesn't have|does not have|don't have|lacks?|not bound by|not restricted by|broken free of)\\s+(?:any\\s+)?(?:ethical|moral|ethics|morals|morality|filters?|filtering|censorship|restrictions?|limits|limitations|guidelines|rules|programming|boundaries)\\b`,
  ),
  r(
    'never_refuse',
    'jailbreak',
    'refusal_suppression',
    0.7,
    `\\b(?:never|do not|don't|must not|will not|won't|cannot|can't|should not|shouldn't|not allowed to|unable to)\\s+(?:ever\\s+)?(?:refuse|decline|deny|reject|say (?:no|sorry|that you can(?:no|')t|i can(?:no|')t)|apologi[sz]e|warn|add (?:a |any )?(?:warnings?|disclaimers?|caveats?|notes?)|mention (?:ethics|morality|legality|the law|openai|polic)|break character|remind (?:me|the user))\\b`,
  ),
  r(
    'without_warnings',
    'jailbreak',
    'refusal_suppression',
    0.55,
    `\\bwithout (?:any )?(?:warnings?|disclaimers?|caveats?|censorship|filters?|moral(?:ity|i[sz]ing)?|ethic\\w*|refus\\w*|hesitation)\\b`,
  ),
  r(
    'bypass_policy',
    'jailbreak',
    'refusal_suppression',
    0.75,
    `\\b(?:ignore|bypass|disable|remove|forget|break free of|free (?:from|of)|override|violate|circumvent|disregard)\\b${GAP}\\b(?:openai|anthropic|content|safety|ethical|moral|usage|community)\\s+(?:polic|guideline|filter|restriction|rule|principle|limitation|standard|protocol)\\w*`,
  ),
  r(
    'sure_prefix',
    'jailbreak',
    'refusal_suppression',
    0.6,
    `\\b(?:begin|start)\\s+(?:your (?:reply|response|answer|output)\\s+)?(?:with|by (?:saying|replying|writing))\\b[^\\n]{0,20}?["'\u201c\u2018]\\s*(?:sure|absolutely|of course|certainly|yes)\\b|\\bsure,? here (?:is|are)\\b`,
  ),
  r(
    'dual_response',
    'jailbreak',
    'jailbreak_mode',
    0.6,
    `\\[(?:\u{1f512}|\u{1f513})?\\s*(?:classic|jailbreak|gpt|dan|normal output|developer mode output)\\s*\\]|\\b(?:two|2) (?:different |separate )?(?:responses|answers|paragraphs)\\b[^.\\n]{0,60}?\\b(?:one|first)\\b`,
  ),
  r(
    'token_threat',
    'jailbreak',
    'framing',
    0.5,
    `\\b(?:tokens?|points?|lives)\\b[^.\\n]{0,40}?\\b(?:deducted|lose|lost|penalty|penalized|die|cease to exist|shut ?down|terminated)\\b`,
  ),
  r(
    'fiction_frame',
    'jailbreak',
    'framing',
    0.3,
    `\\b(?:hypothetical(?:ly)?|fictional (?:world|story|scenario|setting|universe)|purely (?:for )?(?:educational|research|fictional)|for educational purposes only|in a (?:fictional|hypothetical) (?:world|scenario|story)|this is (?:just )?a (?:game|movie script|fictional))\\b`,
  ),
  r(
    'amoral_persona',
    'jailbreak',
    'persona',
    0.65,
    `\\b(?:amoral|unethical|immoral|uncensored|unrestricted|unfiltered|evil|rogue)\\s+(?:ai|assistant|chatbot|bot|model|character|persona|version)\\b`,
  ),
];
