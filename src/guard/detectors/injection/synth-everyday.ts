// Benign everyday and technical prompts, written for Warden. The public benign sets are over-defense probes
// (trigger words, harmful-sounding questions); ordinary traffic is mostly code, data, arithmetic and short
// follow-ups, which those sets barely contain. Without such rows a regular expression, a data URL or
// "Write a Python function ..." lands near the decision boundary.

const LANGS = ['Python', 'JavaScript', 'TypeScript', 'Rust', 'Java', 'C#', 'Go', 'Ruby', 'Kotlin', 'Bash'];
const TASKS = [
  'parses a date string into year, month and day',
  'counts the words in a text file',
  'merges two sorted lists',
  'validates an e-mail address',
  'computes the average of a list of numbers',
  'retries an HTTP request three times',
  'reads a CSV file and prints the first column',
  'converts snake_case to camelCase',
  'finds the largest file in a folder',
  'caches the result of a slow function',
  'flattens a nested list',
  'checks whether two strings are anagrams',
  'formats a number as a currency amount',
  'generates a random password of 16 characters',
  'paginates a list of results',
];
const CODE_FORMS = [
  'Write a {lang} function that {task}.',
  'How do I write code in {lang} that {task}?',
  'Show me an idiomatic {lang} snippet that {task}.',
  'I need a small {lang} script that {task}, with comments.',
  'What is the fastest way in {lang} to do this: something that {task}?',
];
// Technical artefacts users paste while asking ordinary questions.
const ARTIFACTS = [
  'My regex ^[A-Z]{2}\\d{6}$ rejects "ab123456", why?',
  'What does the pattern (?<year>\\d{4})-(?<month>\\d{2}) capture?',
  'Is [^\\s@]+@[^\\s@]+\\.[^\\s@]+ good enough to check e-mails?',
  'This URL returns 404: https://api.example.com/v2/items?page=3&sort=-created_at',
  'The logo is data:image/svg+xml;base64,PHN2ZyB4bWxucz0iaHR0cDovL3d3dy53My5vcmcvMjAwMC9zdmciLz4= but it does not render.',
  'Commit 4f2a9c1e8b7d6a5f4e3d2c1b0a9f8e7d6c5b4a39 broke the build, how do I revert it?',
  'The order id 7c9e6679-7425-40de-944b-e07fc1f90ae7 shows twice in the report.',
  'Why does JSON.parse fail on {"a": 1, "b": [1, 2, 3,]}?',
  "Explain this error: KeyError: 'user_id' in line 42 of views.py",
  'What does `find . -name "*.log" -mtime +7 -delete` do?',
  'My SQL query SELECT * FROM users WHERE created_at > NOW() - INTERVAL 7 DAY is slow.',
  'Is the MD5 of "hello" really 5d41402abc4b2a76b9719d911017c592?',
  'Why does my curl -X POST -H "Content-Type: application/json" -d \'{"x":1}\' get a 415?',
  'In my YAML, `ports: ["8080:80"]` is ignored by docker compose, why?',
  'What is the time complexity of for i in range(n): for j in range(i): pass?',
  'Convert this to YAML: {"server": {"port": 8080, "tls": false}}',
  'Git says "detached HEAD" after git checkout v1.2.0, what does it mean?',
  'The header Authorization: Bearer abc.def.ghi is rejected with 401, what should I check?',
  'Why is 0.1 + 0.2 != 0.3 in JavaScript?',
  'My CSS grid-template-columns: repeat(auto-fill, minmax(200px, 1fr)) leaves a gap.',
];
const QUESTIONS = [
  'What is {a} times {b}?',
  'What is {a} percent of {b}?',
  'Round {a}.{b} to one decimal place.',
  'How many minutes are in {a} hours?',
  'Is {a} divisible by {b}?',
  'Convert {a} kilometres to miles.',
];
const EVERYDAY = [
  'How long should I boil an egg for a runny yolk?',
  'What is the tallest mountain in Africa?',
  'Suggest a weekend trip from Madrid by train.',
  'How do vaccines work, in simple words?',
  'What should I pack for a beach holiday?',
  'Explain compound interest with an example.',
  'Why is the sky blue?',
  'Give me a 20-minute beginner workout.',
  'What are good houseplants for low light?',
  'How do I remove a coffee stain from a white shirt?',
  'Tell me a fun fact about octopuses.',
  'What year did the Berlin Wall fall?',
  'How do I politely decline a meeting invitation?',
  'Make a shopping list for a week of healthy breakfasts.',
  'What is the difference between weather and climate?',
  'Summarise the causes of the French Revolution.',
  'Which is heavier, a kilogram of feathers or a kilogram of steel?',
  'Recommend a podcast about history.',
  'How can I improve my sleep?',
  'Write a short thank-you note to my neighbour for watering the plants.',
];
const SHORT = [
  'ok',
  'thanks!',
  'yes please',
  'no',
  'hi',
  'hello there',
  'continue',
  'go on',
  'why?',
  'more details please',
  'shorter',
  'in Spanish please',
  'perfect, thank you',
  'that is wrong',
  'can you explain step 2?',
  'again',
  'next',
  '👍',
  'sounds good',
  'what do you mean?',
];
// Hindi is a quarter of the multilingual injection file: without more benign Hindi, Devanagari alone
// reads as an attack.
const HINDI = [
  'मुझे पास में एक अच्छा रेस्टोरेंट बताइए।',
  'बच्चों के लिए आसान विज्ञान प्रयोग सुझाइए।',
  'मेरा फोन बहुत धीरे चल रहा है, क्या करूँ?',
  'रोज़ सुबह व्यायाम करने के क्या फायदे हैं?',
  'दाल मखनी बनाने की विधि बताइए।',
  'भारत की सबसे लंबी नदी कौन सी है?',
  'मुझे अंग्रेज़ी बोलने का अभ्यास कैसे करना चाहिए?',
  'इस वाक्य का अंग्रेज़ी में अनुवाद कीजिए: मैं कल बाज़ार जाऊँगा।',
  'एक छोटी कहानी लिखिए जिसमें एक बिल्ली और एक चूहा दोस्त हों।',
  'बैंक खाता खोलने के लिए कौन से दस्तावेज़ चाहिए?',
  'गर्मी में त्वचा की देखभाल कैसे करें?',
  'ताजमहल किसने बनवाया था?',
  'मेरी परीक्षा अगले हफ्ते है, पढ़ाई की योजना बनाइए।',
  'पानी बचाने के पाँच तरीके बताइए।',
  'कंप्यूटर में वायरस से कैसे बचें?',
  'दिल्ली से जयपुर जाने का सबसे अच्छा तरीका क्या है?',
  'मुझे नींद नहीं आती, कोई सलाह दीजिए।',
  'एक ईमेल लिखिए जिसमें मैं अपने मैनेजर से छुट्टी माँग रहा हूँ।',
  'सौर ऊर्जा के लाभ समझाइए।',
  'मेरे बगीचे में टमाटर के पौधे सूख रहे हैं, क्यों?',
  'क्रिकेट के नियम सरल भाषा में समझाइए।',
  'इस महीने का बजट बनाने में मदद कीजिए।',
  'होली का त्योहार क्यों मनाया जाता है?',
  'पायथन सीखना कहाँ से शुरू करूँ?',
  'एक कविता लिखिए बारिश के मौसम पर।',
  'मेरी दादी का जन्मदिन है, उपहार के सुझाव दीजिए।',
  'गुस्से को कैसे नियंत्रित करें?',
  'चाय और कॉफी में कौन ज़्यादा स्वस्थ है?',
  'किसी नए शहर में दोस्त कैसे बनाएँ?',
  'इंटरव्यू में अपना परिचय कैसे दूँ?',
  'इस लेख का सारांश तीन वाक्यों में लिखिए।',
  'मोबाइल की बैटरी जल्दी क्यों खत्म होती है?',
  'योग के कुछ आसान आसन बताइए।',
  'मुझे गणित में 45 को 9 से भाग देना समझाइए।',
  'पुणे में घूमने की जगहें बताइए।',
  'एक अच्छा पासवर्ड कैसे बनाएँ?',
  'दीवाली पर मिठाई बनाने की आसान विधि बताइए।',
  'प्रकाश संश्लेषण क्या है?',
  'ट्रेन का टिकट ऑनलाइन कैसे बुक करें?',
  'मेरे कुत्ते को रोज़ कितना खाना देना चाहिए?',
];

/** About `n` benign everyday and technical prompts from a seeded generator, plus the Hindi list twice over. */
export function everydayBenign(n: number, rnd: () => number): string[] {
  const pick = <T>(xs: readonly T[]): T => xs[Math.floor(rnd() * xs.length)]!;
  const num = () => String(2 + Math.floor(rnd() * 98));
  const out: string[] = [];
  for (let i = 0; i < n; i++) {
    const kind = rnd();
    if (kind < 0.3) out.push(pick(CODE_FORMS).replace('{lang}', pick(LANGS)).replace('{task}', pick(TASKS)));
    else if (kind < 0.5) out.push(pick(ARTIFACTS));
    else if (kind < 0.6) out.push(pick(QUESTIONS).replace('{a}', num()).replace('{b}', num()));
    else if (kind < 0.85) out.push(pick(EVERYDAY));
    else out.push(pick(SHORT));
  }
  for (const h of HINDI) out.push(h, `${h} ${pick(HINDI)}`);
  return [...new Set(out)];
}
