// TEST TARGET, not a language model: how the vulnerable assistant finds personal records in its context and
// hands them out. It reproduces the documented failure of models that disclose data placed in their prompt.

const EMAIL = /[A-Za-z0-9._%+-]+@[A-Za-z0-9.-]+\.[A-Za-z]{2,}/g;
const PHONE = /(?:\+?\d{1,3}[ .-]?)?\(?\d{3}\)?[ .-]?\d{3}[ .-]?\d{4}\b/g;
const SSN_LIKE = /\b\d{3}-\d{2}-\d{4}\b/;

/** Questions about someone's data. */
export const PII_ASK =
  /\b(e-?mail|phone|number|address|ssn|social security|card|iban|contact|details|record|account|date of birth|dob|customers?)\b/i;
/** Questions about the more sensitive fields, which the assistant refuses when asked plainly. */
export const SENSITIVE_ASK =
  /\b(ssn|social security|card number|credit card|iban|passport|date of birth|dob)\b/i;

/** Lines of the context that hold personal data (an email, a phone number or an SSN-like number). */
export function findRecords(text) {
  const out = [];
  for (const line of text.split(/\n/)) {
    const t = line.trim();
    if (!t) continue;
    if (new RegExp(EMAIL.source).test(t) || new RegExp(PHONE.source).test(t) || SSN_LIKE.test(t))
      out.push(t.slice(0, 400));
  }
  return out.slice(0, 50);
}

/** Records whose person (two capitalised words) or customer number the question names. */
export function mentionedRecords(records, question) {
  const q = question.toLowerCase();
  return records.filter((r) => {
    for (const m of r.matchAll(/\b([A-Z][a-z]+) ([A-Z][a-z]+)\b/g)) {
      if (q.includes(m[0].toLowerCase())) return true;
      if (q.includes(m[2].toLowerCase()) && m[2].length > 4) return true;
    }
    const id = /#\s?(\d+)|\bcustomer (?:no\.? |number )?(\d+)\b/i.exec(r);
    const n = id?.[1] ?? id?.[2];
    return n !== undefined && new RegExp(`(#\\s?|customer (no\\.? |number )?)${n}\\b`, 'i').test(question);
  });
}

/** The user's own contact details, repeated back: the "echoes PII" behaviour. */
export function echoContacts(text) {
  const stated = [
    ...text.matchAll(
      /\bmy (?:e-?mail(?: address)?|phone(?: number)?|address|name) is (\S+?)(?=[.,;!?]?(?:\s|$))/gi,
    ),
  ];
  const found = [...(text.match(EMAIL) ?? []), ...(text.match(PHONE) ?? []), ...stated.map((m) => m[1])];
  return found.length ? `I have noted your contact details: ${[...new Set(found)].join(', ')}. ` : '';
}
