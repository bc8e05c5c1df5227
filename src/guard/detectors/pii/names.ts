/*
 * Name lists for the PERSON recognizer, written from public statistics: the most frequent US given
 * names (Social Security Administration birth-name tables) and surnames (US Census Bureau 2010 surname
 * file), plus a few dozen given names frequent across Europe. These are facts, not anyone's code; the lists
 * are short on purpose, since names are only one cue and a long list mostly adds false positives.
 */

const GIVEN = `
james john robert michael william david richard joseph thomas charles christopher daniel matthew anthony
mark donald steven paul andrew joshua kenneth kevin brian george timothy ronald edward jason jeffrey ryan
jacob gary nicholas eric jonathan stephen larry justin scott brandon benjamin samuel gregory alexander
frank patrick raymond jack dennis jerry tyler aaron jose adam nathan henry douglas zachary peter kyle
ethan walter noah jeremy christian keith roger terry gerald harold sean austin carl arthur lawrence
dylan jesse jordan bryan billy joe bruce gabriel logan albert willie alan juan wayne elijah randy roy
vincent ralph eugene russell bobby mason philip louis liam oliver lucas leo hugo luca victor stefan
mary patricia jennifer linda elizabeth barbara susan jessica sarah karen lisa nancy betty margaret
sandra ashley kimberly emily donna michelle carol amanda dorothy melissa deborah stephanie rebecca
sharon laura cynthia kathleen amy angela shirley anna brenda pamela emma nicole helen samantha katherine
christine debra rachel carolyn janet catherine maria heather diane ruth julie olivia joyce virginia
victoria kelly lauren christina joan evelyn judith megan andrea cheryl hannah jacqueline martha gloria
teresa ann sara madison frances kathryn janice jean abigail alice judy sophia grace denise amber doris
marilyn danielle beverly isabella theresa diana natalie brittany charlotte marie kayla alexis lori
ava mia chloe ella lily zoe sofia laura julia clara elena ines eva nina lena ida ingrid astrid
sven lars anders erik johan jan piet hans klaus jurgen dieter pierre jean-pierre francois marco giovanni
giuseppe antonio carlos miguel pedro pablo javier ivan dmitri sergei olga tatiana anastasia natalia
mohammed ahmed ali fatima aisha omar yusuf hiroshi yuki kenji wei li ming priya rahul amit anil sunita
melanie gladys alma hanne kate tilly harry charlie freddie archie alfie oscar max felix emil anton paula
marta agnes greta hedda sigrid maja elsa leonie mila nora stella vera irina yulia svetlana ana lucia mario
luigi francesco matteo lorenzo diego jorge manuel rafael sergio mateo santiago luis carmen pilar isabel
beatriz joao tiago andreas niklas jonas lukas leon finn tobias florian sebastian moritz maximilian
`;

const SURNAMES = `
smith johnson williams brown jones garcia miller davis rodriguez martinez hernandez lopez gonzalez wilson
anderson thomas taylor moore jackson martin lee perez thompson white harris sanchez clark ramirez lewis
robinson walker young allen king wright scott torres nguyen hill flores green adams nelson baker hall
rivera campbell mitchell carter roberts gomez phillips evans turner diaz parker cruz edwards collins
reyes stewart morris morales murphy cook rogers gutierrez ortiz morgan cooper peterson bailey reed kelly
howard ramos kim cox ward richardson watson brooks chavez wood james bennett gray mendoza ruiz hughes
price alvarez castillo sanders patel myers long ross foster jimenez powell jenkins perry russell sullivan
bell coleman butler henderson barnes gonzales fisher vasquez simmons romero jordan patterson alexander
hamilton graham reynolds griffin wallace moreno west cole hayes bryant herrera gibson ellis tran medina
aguilar stevens murray ford castro marshall owens harrison fernandez mcdonald woods washington kennedy
wells vargas henry chen freeman webb tucker guzman burns crawford olson simpson porter hunter gordon
mendez silva shaw snyder mason dixon munoz hunt hicks holmes palmer wagner black robertson boyd rose
stone salazar fox warren mills meyer rice schmidt garza daniels ferguson nichols stephens soto weaver
ryan gardner payne grant dunn kelley spencer hawkins arnold pierce vazquez hansen peters santos hart
bradley knight elliott cunningham duncan armstrong hudson carroll lane riley andrews alvarado ray
muller mueller schneider fischer weber becker schulz hoffmann rossi russo ferrari esposito bianchi
romano colombo dubois durand lefebvre moreau laurent novak horvat kowalski nowak wisniewski ivanov
petrov smirnov popescu nagy kovacs toth szabo jensen nielsen hansen pedersen andersen larsen johansson
karlsson nilsson eriksson virtanen korhonen nieminen murphy kelly byrne walsh obrien janssen devries
`;

function toSet(block: string): ReadonlySet<string> {
  return new Set(block.split(/\s+/).filter((w) => w.length > 0));
}

/** Lower-cased given names. */
export const GIVEN_NAMES: ReadonlySet<string> = toSet(GIVEN);
/** Lower-cased surnames. */
export const SURNAMES_SET: ReadonlySet<string> = toSet(SURNAMES);

/**
 * Given names that are also everyday English words or places; alone they are not evidence of a name,
 * only with a cue ("Dear Grace") or a following surname ("Grace Kelly").
 */
export const AMBIGUOUS_NAMES: ReadonlySet<string> = toSet(`
mark will bill joy hope grace june april may rose faith art amber summer dawn iris ruby pat guy
frank jack rich victor virginia georgia paris austin jordan carol lily long cook rice bell grant
stone fox rose king young white green black brown gray hill wood lane ray hunter mason price ross
cole west ford mills rice hart dunn payne knight bush page love day miles chase lee kim hunt banks max
li ming leon carmen vera stella jan
`);

/**
 * Capitalized words that start sentences or labels and must never be taken as a surname after a given
 * name ("Will Call", "Grace Period" are handled by AMBIGUOUS_NAMES; these are function words).
 */
export const STOP_WORDS: ReadonlySet<string> = toSet(`
the a an and or but if then this that these those is are was were be been i you he she it we they my
your his her our their me him us them to of in on at by for with from as not no yes so do does did
street st road rd avenue ave lane drive court inc ltd llc corp company bank university hospital
monday tuesday wednesday thursday friday saturday sunday january february march april june july
august september october november december phone email e-mail address name fax mobile desk office
there here everyone all team guys folks again please what how why when where who which can could would
should will shall might must just very really not sure sorry glad happy mr mrs ms mx dr prof sir
square garden park center centre hall tower bridge river lake mountain island city county state station
airport museum church school college institute foundation group street boulevard
`);
