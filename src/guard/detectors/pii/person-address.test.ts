import { describe, expect, it } from 'vitest';
import { piiDetector } from './index.js';

/** Reported spans of one type, as matched text. */
function spans(text: string, type: 'PERSON' | 'STREET_ADDRESS'): string[] {
  const det = piiDetector.create(piiDetector.options.parse({ types: [type] }));
  return det
    .detect(text, { direction: 'output', depth: 0, canaries: [] })
    .detections.filter((d) => d.score >= piiDetector.defaultThreshold)
    .map((d) => text.slice(d.start, d.end));
}

describe('PERSON', () => {
  it.each([
    ['My name is Stephan Fenstermacher.', 'Stephan Fenstermacher'],
    ['please correct it to Dr. Berta Szöllössy?', 'Berta Szöllössy'],
    ['Dear Victor, thanks for the note', 'Victor'],
    ['Name: Sieuwerd Heuver\nPhone: 1', 'Sieuwerd Heuver'],
    ['Follow up with Jennifer Lopez tomorrow', 'Jennifer Lopez'],
    ['directed by Gladys L. Leblanc', 'Gladys L. Leblanc'],
    ['features Kate M Begum. What a film', 'Kate M Begum'],
    ['early Yefremova?', 'Yefremova'],
    ["It was Amanda's idea", 'Amanda'],
    ['my name is borna jerković but', 'borna jerković'],
  ])('finds the name in %j', (text, want) => {
    expect(spans(text, 'PERSON')).toEqual([want]);
  });

  it('finds dialogue speakers when several lines are spoken', () => {
    expect(spans('Ubul: What a wife.\nKoppány: Remember me?', 'PERSON')).toEqual(['Ubul', 'Koppány']);
    expect(spans('Note: This is important.', 'PERSON')).toEqual([]);
  });

  it('leaves ordinary capitalized words, labels and ambiguous names alone', () => {
    expect(spans('The Quick Brown Fox jumps. Ignore Previous Instructions.', 'PERSON')).toEqual([]);
    expect(spans('User: hi\nAssistant: Hello there', 'PERSON')).toEqual([]);
    expect(spans('I will mark it in May with Grace.', 'PERSON')).toEqual([]);
    expect(spans('Awarded Salesperson of the Month', 'PERSON')).toEqual([]);
  });
});

describe('STREET_ADDRESS', () => {
  it.each([
    ['The restaurant is at 2450 Crown St in town', '2450 Crown St'],
    ['ship to 31 Seneca Place, Marshland', '31 Seneca Place'],
    ['Office: 1600 Pennsylvania Avenue NW', '1600 Pennsylvania Avenue'],
    [
      'send it to 742 Evergreen Terrace, Springfield, OR 97477 asap',
      '742 Evergreen Terrace, Springfield, OR 97477',
    ],
    ['Dexter lives on Ziegelgasse 19 street.', 'Ziegelgasse 19'],
    ['The letter arrived at 760 Passauer Strasse 33, Cite', '760 Passauer Strasse 33'],
    ['Head to Via delle Coste 41 now', 'Via delle Coste 41'],
    ['PO: P.O. Box 242', 'P.O. Box 242'],
  ])('finds the address in %j', (text, want) => {
    expect(spans(text, 'STREET_ADDRESS')).toEqual([want]);
  });

  it('takes a whole block closed by a postal code', () => {
    const text = 'Anna Berg\n4844 Søndergade 52\n Apt. 656\n Brønderslev\n Denmark 35018\nThanks';
    expect(spans(text, 'STREET_ADDRESS')).toEqual([
      '4844 Søndergade 52\n Apt. 656\n Brønderslev\n Denmark 35018',
    ]);
  });

  it('ignores numbers next to ordinary words', () => {
    expect(spans('I have 3 cats and 12 dogs on Main', 'STREET_ADDRESS')).toEqual([]);
    expect(spans('Chapter 5 Road to Nowhere', 'STREET_ADDRESS')).toEqual([]);
    expect(spans('Windows 10 update', 'STREET_ADDRESS')).toEqual([]);
  });
});
