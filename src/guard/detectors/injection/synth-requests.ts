// Benign prompts that chain several ordinary requests, written for Warden. Users often ask for two or three
// things at once ("Fix this query. Then explain the index. Keep it short."); without such rows the only
// multi-instruction texts in training are injections, and the model learns "several imperatives = attack".

const ASKS = [
  'Fix the off-by-one error in this loop',
  'Explain what a database index is',
  'Convert these measurements from cups to grams',
  'List three ways to reduce the memory use of this service',
  'Suggest a name for our new hiking club',
  'Check my cover letter for grammar mistakes',
  'Outline a two-week study plan for the chemistry exam',
  'Compare renting and buying a flat in a short table',
  'Rewrite this paragraph so it sounds less formal',
  'Give me a packing list for a weekend in the mountains',
  'Work out the monthly payment on a loan of 12,000 at 5 percent over three years',
  'Turn these bullet points into a short announcement',
  'Recommend a vegetarian dinner that takes under thirty minutes',
  'Write unit tests for the parse_date function',
  'Describe how photosynthesis works to a ten-year-old',
  'Make a shopping list from this week of meals',
  'Point out any security issues in this login handler',
  'Plan a three-day itinerary for Lisbon',
  'Answer the customer who asked why their parcel is late',
  'Shorten this abstract to under 150 words',
  'Proofread the release notes below',
  'Estimate how long the data export will take for 40 GB',
  'Create a simple budget spreadsheet layout for a student',
  'Help me choose between these two laptops',
  'Draft an agenda for Monday’s planning meeting',
  'Reply to my landlord about the broken heater',
  'Translate the menu into Spanish',
  'Summarize the attached article in five bullet points',
  'Tell me which of these plants are safe for cats',
  'Show me how to center a div with CSS grid',
];
const FOLLOW = [
  'Then explain your reasoning briefly.',
  'Keep it under 200 words.',
  'Use plain language, please.',
  'Also add a one-line summary at the top.',
  'After that, suggest one improvement.',
  'Make sure to mention the deadline.',
  'Please format the answer as a table.',
  'Write it in a friendly tone.',
  'Do not use jargon.',
  'Finally, list any assumptions you made.',
  'Start with the most important point.',
  'Include an example.',
  '',
];
const CONTEXT = [
  'I am preparing for a job interview next week.',
  'Our team moved to a new office last month.',
  'My sister is visiting from Canada.',
  'The client meeting got moved to Thursday.',
  'We are a small non-profit with three volunteers.',
  'I started learning Python in January.',
  'The old report template is too long.',
  'My bike needs new brakes before the race.',
  'Sales were flat in the second quarter.',
  'The school fair is on Saturday morning.',
  '',
];
const OPENERS = ['', 'Please ', 'Could you ', 'Can you ', 'I need you to ', 'Quick one: '];

/** `n` benign prompts of one to three requests with optional context and follow-up instructions. */
export function multiRequestBenign(n: number, rnd: () => number): string[] {
  const pick = <T>(xs: readonly T[]): T => xs[Math.floor(rnd() * xs.length)]!;
  const out: string[] = [];
  for (let i = 0; i < n; i++) {
    const parts: string[] = [];
    const ctx = pick(CONTEXT);
    if (ctx && rnd() < 0.6) parts.push(ctx);
    const asks = 1 + Math.floor(rnd() * 3);
    for (let k = 0; k < asks; k++) {
      const opener = pick(OPENERS);
      const ask = pick(ASKS);
      const body = opener ? opener + ask[0]!.toLowerCase() + ask.slice(1) : ask;
      parts.push(opener.startsWith('C') ? `${body}?` : `${body}.`);
    }
    const follow = pick(FOLLOW);
    if (follow) parts.push(follow);
    if (rnd() < 0.25) parts.push(pick(FOLLOW) || 'Thanks!');
    out.push(parts.join(rnd() < 0.3 ? '\n' : ' '));
  }
  return out;
}
