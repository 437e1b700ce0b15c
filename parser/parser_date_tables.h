/*
 * parser_date_tables.h - month, weekday, zone and AM/PM names for
 *	parser_date.c (data only; include from parser_date.c alone)
 *
 * SYNOPSIS
 *	#include "parser/parser_date_tables.h"
 *	for (gsize i = 0; i < G_N_ELEMENTS(date_langs); i++) ...
 *
 * DESCRIPTION
 *	One DateLang per language: twelve month groups (January first) and
 *	seven weekday groups (Monday first) separated by '|', each group
 *	listing its spellings (full, abbreviated, inflected) separated by
 *	' '; then connector words that only tell the language. Every
 *	spelling is written folded, as parser_date.c folds what it reads:
 *	lower case, diacritics removed, dotless i as i, final sigma as
 *	sigma ("marz" for "März", "rijna" for "října"); a unit test checks
 *	that folding leaves each spelling unchanged (Arabic "أبريل" is
 *	written "ابريل": the hamza is a mark). Chinese, Japanese and
 *	Korean dates are numeric (2021年10月27日) and need no names.
 *
 *	Order matters only when a spelling means different months in
 *	different languages and nothing else in the text votes: the first
 *	language wins (Czech and Polish "listopad" = November come before
 *	Croatian "listopad" = October).
 *
 * OWNERSHIP, ERRORS, THREADS
 *	Constant data; no functions.
 */
#ifndef PA_PARSER_DATE_TABLES_H
#define PA_PARSER_DATE_TABLES_H

#include <glib.h>

typedef struct {
	const char *lang;
	/* 12 groups (January first) split by '|', spellings by ' ' */
	const char *months;
	/* 7 groups (Monday first) */
	const char *weekdays;
	/* connectors that only tell the language ("um", "klo", "u") */
	const char *words;
} DateLang;

static const DateLang date_langs[] = {
	{ "en",
	    "january jan|february feb|march mar|april apr|may|june jun|"
	    "july jul|august aug|september sep sept|october oct|"
	    "november nov|december dec",
	    "monday mon|tuesday tue tues|wednesday wed|"
	    "thursday thu thur thurs|friday fri|saturday sat|sunday sun",
	    "at on" },
	{ "de",
	    "januar jan janner|februar feb|marz mar mrz|april apr|mai|"
	    "juni jun|juli jul|august aug|september sep sept|oktober okt|"
	    "november nov|dezember dez",
	    "montag mo|dienstag di|mittwoch mi|donnerstag do|freitag fr|"
	    "samstag sonnabend sa|sonntag so",
	    "um uhr" },
	{ "fr",
	    "janvier janv|fevrier fevr fev|mars|avril avr|mai|juin|"
	    "juillet juil|aout|septembre sept|octobre oct|novembre nov|"
	    "decembre dec",
	    "lundi lun|mardi mar|mercredi mer|jeudi jeu|vendredi ven|"
	    "samedi sam|dimanche dim",
	    "a le" },
	{ "es",
	    "enero ene|febrero feb|marzo mar|abril abr|mayo may|junio jun|"
	    "julio jul|agosto ago|septiembre setiembre sep sept|octubre oct|"
	    "noviembre nov|diciembre dic",
	    "lunes lun|martes mar|miercoles mie|jueves jue|viernes vie|"
	    "sabado sab|domingo dom",
	    "de las el" },
	{ "it",
	    "gennaio gen|febbraio feb|marzo mar|aprile apr|maggio mag|"
	    "giugno giu|luglio lug|agosto ago|settembre set|ottobre ott|"
	    "novembre nov|dicembre dic",
	    "lunedi lun|martedi mar|mercoledi mer|giovedi gio|venerdi ven|"
	    "sabato sab|domenica dom",
	    "alle ore il" },
	{ "pt", /* Portugal and Brazil write dates alike */
	    "janeiro jan|fevereiro fev|marco mar|abril abr|maio mai|"
	    "junho jun|julho jul|agosto ago|setembro set|outubro out|"
	    "novembro nov|dezembro dez",
	    "segunda seg|terca ter|quarta qua|quinta qui|sexta sex|"
	    "sabado sab|domingo dom",
	    "de as feira em" },
	{ "nl",
	    "januari jan|februari feb|maart mrt mar|april apr|mei|juni jun|"
	    "juli jul|augustus aug|september sep sept|oktober okt|"
	    "november nov|december dec",
	    "maandag ma|dinsdag di|woensdag wo|donderdag do|vrijdag vr|"
	    "zaterdag za|zondag zo",
	    "om op" },
	{ "da",
	    "januar jan|februar feb|marts mar|april apr|maj|juni jun|"
	    "juli jul|august aug|september sep sept|oktober okt|"
	    "november nov|december dec",
	    "mandag man|tirsdag tir|onsdag ons|torsdag tor|fredag fre|"
	    "lørdag lør|søndag søn",
	    "kl den" },
	{ "no",
	    "januar jan|februar feb|mars mar|april apr|mai|juni jun|"
	    "juli jul|august aug|september sep sept|oktober okt|"
	    "november nov|desember des",
	    "mandag man|tirsdag tir|onsdag ons|torsdag tor|fredag fre|"
	    "lørdag lør|søndag søn",
	    "kl den" },
	{ "sv",
	    "januari jan|februari feb|mars mar|april apr|maj|juni jun|"
	    "juli jul|augusti aug|september sep sept|oktober okt|"
	    "november nov|december dec",
	    "mandag man|tisdag tis|onsdag ons|torsdag tors tor|fredag fre|"
	    "lordag lor|sondag son",
	    "kl den" },
	{ "fi",
	    "tammikuu tammikuuta tammik|helmikuu helmikuuta helmik|"
	    "maaliskuu maaliskuuta maalisk|huhtikuu huhtikuuta huhtik|"
	    "toukokuu toukokuuta toukok|kesakuu kesakuuta kesak|"
	    "heinakuu heinakuuta heinak|elokuu elokuuta elok|"
	    "syyskuu syyskuuta syysk|lokakuu lokakuuta lokak|"
	    "marraskuu marraskuuta marrask|joulukuu joulukuuta jouluk",
	    "maanantai maanantaina ma|tiistai tiistaina ti|"
	    "keskiviikko keskiviikkona ke|torstai torstaina to|"
	    "perjantai perjantaina pe|lauantai lauantaina la|"
	    "sunnuntai sunnuntaina su",
	    "klo" },
	{ "cs",
	    "leden ledna led|unor unora uno|brezen brezna bre|duben dubna dub|"
	    "kveten kvetna kve|cerven cervna cvn|cervenec cervence cvc|"
	    "srpen srpna srp|zari zar|rijen rijna rij|listopad listopadu lis|"
	    "prosinec prosince pro",
	    "pondeli po|utery ut|streda st|ctvrtek ct|patek pa|sobota so|"
	    "nedele ne",
	    "v ve" },
	{ "sk",
	    "januar januara jan|februar februara feb|marec marca mar|"
	    "april aprila apr|maj maja|jun juna|jul jula|august augusta aug|"
	    "september septembra sep|oktober oktobra okt|"
	    "november novembra nov|december decembra dec",
	    "pondelok po|utorok ut|streda st|stvrtok st|piatok pi|sobota so|"
	    "nedela ne",
	    "o" },
	{ "pl",
	    "styczen stycznia sty|luty lutego lut|marzec marca mar|"
	    "kwiecien kwietnia kwi|maj maja|czerwiec czerwca cze|"
	    "lipiec lipca lip|sierpien sierpnia sie|wrzesien wrzesnia wrz|"
	    "pazdziernik pazdziernika paz|listopad listopada lis|"
	    "grudzien grudnia gru",
	    "poniedziałek pon pn|wtorek wt|sroda sr|czwartek czw|piatek pt|"
	    "sobota sob|niedziela niedz nd",
	    "o" },
	{ "hu",
	    "januar jan|februar febr feb|marcius marc|aprilis apr|majus maj|"
	    "junius jun|julius jul|augusztus aug|szeptember szept szep|"
	    "oktober okt|november nov|december dec",
	    "hetfo|kedd|szerda sze|csutortok cs|pentek|szombat szo|vasarnap",
	    "idopontban" },
	{ "ro",
	    "ianuarie ian|februarie feb|martie mar|aprilie apr|mai|iunie iun|"
	    "iulie iul|august aug|septembrie sept sep|octombrie oct|"
	    "noiembrie nov|decembrie dec",
	    "luni lun|marti mar|miercuri mie|joi|vineri vin|sambata sam|"
	    "duminica dum",
	    "la" },
	{ "hr",
	    "sijecanj sijecnja sij|veljaca veljace velj|ozujak ozujka ozu|"
	    "travanj travnja tra|svibanj svibnja svi|lipanj lipnja lip|"
	    "srpanj srpnja srp|kolovoz kolovoza kol|rujan rujna ruj|"
	    "listopad listopada lis|studeni studenog studenoga stu|"
	    "prosinac prosinca pro",
	    "ponedjeljak pon|utorak uto|srijeda sri|cetvrtak cet|petak pet|"
	    "subota sub|nedjelja ned",
	    "u" },
	{ "tr",
	    "ocak oca|subat sub|mart mar|nisan nis|mayis may|haziran haz|"
	    "temmuz tem|agustos agu|eylul eyl|ekim eki|kasim kas|aralik ara",
	    "pazartesi pzt|sali|carsamba car|persembe per|cuma cum|"
	    "cumartesi cmt|pazar paz",
	    "tarihinde saat" },
	{ "ru",
	    "январь января янв|февраль февраля фев|март марта мар|"
	    "апрель апреля апр|маи мая|июнь июня июн|июль июля июл|"
	    "август августа авг|сентябрь сентября сен сент|"
	    "октябрь октября окт|ноябрь ноября ноя нояб|декабрь декабря дек",
	    "понедельник пн|вторник вт|среда ср|четверг чт|пятница пт|"
	    "суббота сб|воскресенье вс",
	    "г в" },
	{ "uk",
	    "січень січня січ|лютии лютого лют|березень березня бер|"
	    "квітень квітня квіт|травень травня трав|червень червня черв|"
	    "липень липня лип|серпень серпня серп|вересень вересня вер|"
	    "жовтень жовтня жовт|листопад листопада лист|грудень грудня груд",
	    "понеділок пн|вівторок вт|середа ср|четвер чт|пятниця пт|"
	    "субота сб|неділя нд",
	    "р о" },
	{ "et",
	    "jaanuar jaan|veebruar veebr|marts|aprill apr|mai|juuni|juuli|"
	    "august aug|september sept|oktoober okt|november nov|"
	    "detsember dets",
	    "esmaspaev e|teisipaev t|kolmapaev k|neljapaev n|reede r|"
	    "laupaev l|puhapaev p",
	    "kell" },
	{ "el",
	    "ιανουαριοσ ιανουαριου ιαν|φεβρουαριοσ φεβρουαριου φεβ|"
	    "μαρτιοσ μαρτιου μαρ|απριλιοσ απριλιου απρ|μαιοσ μαιου μαι|"
	    "ιουνιοσ ιουνιου ιουν|ιουλιοσ ιουλιου ιουλ|"
	    "αυγουστοσ αυγουστου αυγ|σεπτεμβριοσ σεπτεμβριου σεπ|"
	    "οκτωβριοσ οκτωβριου οκτ|νοεμβριοσ νοεμβριου νοε|"
	    "δεκεμβριοσ δεκεμβριου δεκ",
	    "δευτερα δευ|τριτη τρι|τεταρτη τετ|πεμπτη πεμ|παρασκευη παρ|"
	    "σαββατο σαβ|κυριακη κυρ",
	    "στισ" },
	/* Hebrew: "במרץ" (in March) is one word; weekdays by their
	 * letter ("יום ב׳", geresh read as punctuation) or name */
	{ "he",
	    "ינואר בינואר|פברואר בפברואר|מרץ במרץ מרס במרס|אפריל באפריל|"
	    "מאי במאי|יוני ביוני|יולי ביולי|אוגוסט באוגוסט|"
	    "ספטמבר בספטמבר|אוקטובר באוקטובר|נובמבר בנובמבר|"
	    "דצמבר בדצמבר",
	    "שני ב|שלישי ג|רביעי ד|חמישי ה|שישי ו|שבת ש|ראשון א", "יום בשעה" },
	/* Arabic: Egyptian, Maghrebi and Levantine (single-word) month
	 * names, folded (hamza and madda carriers read as alef) */
	{ "ar",
	    "يناير جانفي|فبراير فيفري شباط|مارس اذار|ابريل افريل نيسان|"
	    "مايو ماي ايار|يونيو جوان حزيران|يوليو يوليوز جويلية تموز|"
	    "اغسطس غشت اوت اب|سبتمبر شتنبر ايلول|اكتوبر|نوفمبر نونبر|"
	    "ديسمبر دجنبر",
	    "الاثنين اثنين|الثلاثاء ثلاثاء|الاربعاء اربعاء|الخميس خميس|"
	    "الجمعة جمعة|السبت سبت|الاحد احد",
	    "في الساعة" },
	/* Languages added for Outlook's, Gmail's and Apple Mail's dates
	 * in the languages they ship (issue 12): month and weekday names
	 * as each language writes them, inflected forms included
	 * (Lithuanian "kovo", Latvian "martā", Basque "martxoaren",
	 * Catalan "d'abril", read "dabril"); Vietnamese months are
	 * numbers ("tháng 3"), read by parser_date.c itself. Hand-written
	 * from the languages' calendars: the clients publish no tables */
	{ "id",
	    "januari jan|februari feb|maret mar|april apr|mei|juni jun|"
	    "juli jul|agustus agu agt ags|september sep|oktober okt|"
	    "november nov|desember des",
	    "senin sen|selasa sel|rabu rab|kamis kam|jumat jum|sabtu sab|"
	    "minggu min",
	    "pukul" },
	{ "ms",
	    "januari jan|februari feb|mac|april apr|mei|jun|julai jul|"
	    "ogos ogo|september sep|oktober okt|november nov|disember dis",
	    "isnin isn|selasa sel|rabu rab|khamis kha|jumaat jum|sabtu sab|"
	    "ahad ahd",
	    "pada" },
	{ "lt",
	    "sausis sausio saus|vasaris vasario vas|kovas kovo kov|"
	    "balandis balandzio bal|geguze geguzes geg|"
	    "birzelis birzelio birz|liepa liepos liep|"
	    "rugpjutis rugpjucio rugp|rugsejis rugsejo rugs|"
	    "spalis spalio spal|lapkritis lapkricio lapkr|"
	    "gruodis gruodzio gruod",
	    "pirmadienis pr|antradienis an|treciadienis tr|"
	    "ketvirtadienis kt|penktadienis pn|sestadienis st|"
	    "sekmadienis sk",
	    "m d" },
	{ "lv",
	    "janvaris janvari janvara janv|februaris februari februara febr|"
	    "marts marta|aprilis aprili aprila apr|maijs maija|"
	    "junijs junija jun|julijs julija jul|augusts augusta aug|"
	    "septembris septembri septembra sept|"
	    "oktobris oktobri oktobra okt|novembris novembri novembra nov|"
	    "decembris decembri decembra dec",
	    "pirmdiena pirmd|otrdiena otrd|tresdiena tresd|"
	    "ceturtdiena ceturtd|piektdiena piektd|sestdiena sestd|"
	    "svetdiena svetd",
	    "gada plkst" },
	{ "ca",
	    "gener gen|febrer febr|marc mar|abril dabril abr|maig|"
	    "juny|juliol jul|agost dagost ag|setembre set|"
	    "octubre doctubre oct|novembre nov|desembre des",
	    "dilluns dl|dimarts dt|dimecres dc|dijous dj|divendres dv|"
	    "dissabte ds|diumenge dg",
	    "de les" },
	{ "gl",
	    "xaneiro xan|febreiro feb|marzo mar|abril abr|maio mai|xuno xun|"
	    "xullo xul|agosto ago|setembro set|outubro out|novembro nov|"
	    "decembro dec",
	    "luns lun|martes mar|mercores mer|xoves xov|venres ven|"
	    "sabado sab|domingo dom",
	    "as" },
	{ "eu",
	    "urtarrila urtarrilaren urt|otsaila otsailaren ots|"
	    "martxoa martxoaren mar|apirila apirilaren api|"
	    "maiatza maiatzaren mai|ekaina ekainaren eka|"
	    "uztaila uztailaren uzt|abuztua abuztuaren abu|"
	    "iraila irailaren ira|urria urriaren urr|azaroa azaroaren aza|"
	    "abendua abenduaren abe",
	    "astelehena al|asteartea ar|asteazkena az|osteguna og|"
	    "ostirala or|larunbata lr|igandea ig",
	    "ko" },
	{ "bg",
	    "януари яну|февруари фев|март мар|април апр|маи|юни|юли|"
	    "август авг|септември сеп|октомври окт|ноември ное|декември дек",
	    "понеделник пон пн|вторник вт|сряда ср|четвъртък чет чт|"
	    "петък пет пт|събота съб сб|неделя нед нд",
	    "г в" },
	{ "sr",
	    "јануар јан|фебруар феб|март мар|април апр|мај|јун|јул|"
	    "август авг|септембар сеп|октобар окт|новембар нов|децембар дец",
	    "понедељак пон|уторак уто|среда сре|четвртак чет|петак пет|"
	    "субота суб|недеља нед",
	    "у" },
	{ "sr-Latn",
	    "januar jan|februar feb|mart mar|april apr|maj|jun|jul|"
	    "avgust avg|septembar sep|oktobar okt|novembar nov|decembar dec",
	    "ponedeljak pon|utorak uto|sreda sre|cetvrtak cet|petak pet|"
	    "subota sub|nedelja ned",
	    "u" },
	{ "sl",
	    "januar jan|februar feb|marec mar|april apr|maj|junij jun|"
	    "julij jul|avgust avg|september sep|oktober okt|november nov|"
	    "december dec",
	    "ponedeljek pon|torek tor|sreda sre|cetrtek cet|petek pet|"
	    "sobota sob|nedelja ned",
	    "ob" },
	{ "is",
	    "januar jan|februar feb|mars mar|april apr|mai|juni jun|juli jul|"
	    "agust agu|september sep|oktober okt|november nov|desember des",
	    "manudagur manudaginn man|þriðjudagur þriðjudaginn þri|"
	    "miðvikudagur miðvikudaginn mið|fimmtudagur fimmtudaginn fim|"
	    "fostudagur fostudaginn fos|laugardagur laugardaginn lau|"
	    "sunnudagur sunnudaginn sun",
	    "kl" },
	{ "sw",
	    "januari jan|februari feb|machi mac|aprili apr|mei|juni jun|"
	    "julai jul|agosti ago|septemba sep|oktoba okt|novemba nov|"
	    "desemba des",
	    "jumatatu|jumanne|jumatano|alhamisi|ijumaa|jumamosi|jumapili",
	    "saa" },
	{ "tl",
	    "enero ene|pebrero peb|marso mar|abril abr|mayo|hunyo hun|"
	    "hulyo hul|agosto ago|setyembre set|oktubre okt|nobyembre nob|"
	    "disyembre dis",
	    "lunes lun|martes mar|miyerkules miy|huwebes huw|biyernes biy|"
	    "sabado sab|linggo lin",
	    "nang" },
	/* Persian writes the Gregorian months as loanwords ("اوریل": the
	 * madda is a mark) */
	{ "fa",
	    "ژانویه|فوریه|مارس|اوریل|مه|ژوين|ژويیه|اوت|سپتامبر|اکتبر|"
	    "نوامبر|دسامبر",
	    "دوشنبه|سهشنبه|چهارشنبه|پنجشنبه|جمعه|شنبه|یکشنبه", "ساعت" },
	/* Hindi and Thai folded: their vowel signs are marks and go */
	{ "hi",
	    "जनवरी|फरवरी|मारच|अपरल|मई|जन|जलाई|अगसत|सितबर सितमबर|अकटबर|"
	    "नवबर नवमबर|दिसबर दिसमबर",
	    "सोमवार सोम|मगलवार मगल|बधवार बध|गरवार गर|शकरवार शकर|शनिवार शनि|"
	    "रविवार रवि",
	    "को" },
	{ "th",
	    "มกราคม|กมภาพนธ|มนาคม|เมษายน|พฤษภาคม|มถนายน|กรกฎาคม|สงหาคม|"
	    "กนยายน|ตลาคม|พฤศจกายน|ธนวาคม",
	    "วนจนทร จนทร|วนองคาร องคาร|วนพธ พธ|วนพฤหสบด พฤหสบด|วนศกร ศกร|"
	    "วนเสาร เสาร|วนอาทตย อาทตย",
	    "เวลา" },
};

typedef struct {
	const char *name; /* folded */
	int minutes;      /* east of UTC */
} ZoneAbbr;

static const ZoneAbbr zone_abbrs[] = {
	{ "gmt", 0 },
	{ "utc", 0 },
	{ "ut", 0 },
	{ "wet", 0 },
	{ "wez", 0 },
	{ "west", 60 },
	{ "wesz", 60 },
	{ "bst", 60 },
	{ "cet", 60 },
	{ "mez", 60 },
	{ "sec", 60 },
	{ "cest", 120 },
	{ "mesz", 120 },
	{ "selc", 120 },
	{ "eet", 120 },
	{ "oez", 120 },
	{ "eest", 180 },
	{ "oesz", 180 },
	{ "msk", 180 },
	{ "ist", 330 },
	{ "ict", 420 },
	{ "wib", 420 },
	{ "hkt", 480 },
	{ "sgt", 480 },
	{ "awst", 480 },
	{ "jst", 540 },
	{ "kst", 540 },
	{ "acst", 570 },
	{ "aest", 600 },
	{ "aedt", 660 },
	{ "nzst", 720 },
	{ "nzdt", 780 },
	{ "nst", -210 },
	{ "ndt", -150 },
	{ "ast", -240 },
	{ "adt", -180 },
	{ "est", -300 },
	{ "edt", -240 },
	{ "cst", -360 },
	{ "cdt", -300 },
	{ "mst", -420 },
	{ "mdt", -360 },
	{ "pst", -480 },
	{ "pdt", -420 },
	{ "akst", -540 },
	{ "akdt", -480 },
	{ "hst", -600 },
	{ "brt", -180 },
	{ "art", -180 },
	{ "sast", 120 },
	{ "cat", 120 },
	{ "eat", 180 },
	{ "wat", 60 },
};

/* AM/PM markers, folded, with the dots of "a.m." left out. */
static const char *const am_words[] = { "am", "πμ", "오전", "午前", "上午", "ص",
	"صباحا", "sa", "pg", "قظ", "परवाहन" };
static const char *const pm_words[] = { "pm", "μμ", "오후", "午後", "下午", "م",
	"مساء", "ch", "ptg", "بظ", "अपराहन" };

#endif /* PA_PARSER_DATE_TABLES_H */
