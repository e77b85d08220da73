"""The demo's master data: cooperatives of the Oriental region, their products, the platform's
locations and one user per role. Every name, phone number, registration number, bank account
and barcode here is fictitious; the GTINs use Morocco's GS1 prefix 611 and an invented company
prefix, with real check digits."""
from decimal import Decimal

from stdnum import ean


GTIN_COMPANY_PREFIX = "6119204"


def _gtin(item_reference):
    """A GTIN-13 made of the demo company prefix, a 5-digit item reference and its check digit."""
    base = GTIN_COMPANY_PREFIX + f"{item_reference:05d}"
    assert len(base) == 12 and base.startswith("611")
    return base + ean.calc_check_digit(base)


def _rib(bank, city, account):
    """A well-formed (fictitious) Moroccan RIB of 24 digits: bank 3, city 3, account 16, key 2.

    The key is 97 minus the remainder of the first 22 digits, followed by 00, divided by 97.
    """
    body = f"{bank:0>3}{city:0>3}{account:0>16}"
    assert len(body) == 22 and body.isdigit()
    key = 97 - (int(body + "00") % 97)
    return body + f"{key:02d}"


# --- Cooperatives ---------------------------------------------------------------------------
# "key" is only used inside this module to attach users to their cooperative.
COOPERATIVES = [
    dict(
        key="figuig_dates",
        name_fr="Coopérative Zenaga des dattes de Figuig",
        name_ar="تعاونية زناكة لتمور فكيك",
        registration_number="ODCO-2008-0412",
        province="Figuig",
        phone="+212 536 89 71 24",
        email="zenaga.dattes@example.com",
        address="Ksar Zenaga, Figuig",
        members_total=48, members_women=14, members_youth=11,
        commission_rate=Decimal("0.12"),
        payout_bank="Crédit Agricole du Maroc – agence Figuig",
        payout_account=_rib("225", "612", "0004128790031200"),
        payout_holder="Coopérative Zenaga des dattes de Figuig",
    ),
    dict(
        key="figuig_truffles",
        name_fr="Coopérative Terfass des Hauts Plateaux – Tendrara",
        name_ar="تعاونية الترفاس للهضاب العليا – تندرارة",
        registration_number="ODCO-2014-1877",
        province="Figuig",
        phone="+212 661 42 08 57",
        address="Centre de Tendrara, province de Figuig",
        members_total=23, members_women=6, members_youth=9,
        commission_rate=None,
        payout_bank="Al Barid Bank – agence Bouarfa",
        payout_account=_rib("350", "615", "0000731902284411"),
        payout_holder="Coopérative Terfass des Hauts Plateaux",
    ),
    dict(
        key="taourirt_oil",
        name_fr="Coopérative Zit Al Khayr – Taourirt",
        name_ar="تعاونية زيت الخير – تاوريرت",
        registration_number="ODCO-2011-0955",
        province="Taourirt",
        phone="+212 536 69 44 10",
        email="zit.alkhayr@example.com",
        address="Douar Ouled Mhamed, route d'El Aïoun, Taourirt",
        members_total=62, members_women=19, members_youth=15,
        commission_rate=Decimal("0.10"),
        payout_bank="Banque Populaire – agence Taourirt",
        payout_account=_rib("190", "658", "0021457788120046"),
        payout_holder="Coopérative Zit Al Khayr",
    ),
    dict(
        key="berkane_oil",
        name_fr="Coopérative oléicole Beni Snassen – Berkane",
        name_ar="تعاونية بني يزناسن لزيت الزيتون – بركان",
        registration_number="ODCO-2006-0231",
        province="Berkane",
        phone="+212 536 61 27 93",
        address="Route de Tafoughalt, Berkane",
        members_total=85, members_women=22, members_youth=18,
        commission_rate=None,
        payout_bank="Attijariwafa bank – agence Berkane Mohammed V",
        payout_account=_rib("007", "633", "0001934400057812"),
        payout_holder="Coopérative oléicole Beni Snassen",
    ),
    dict(
        key="berkane_almonds",
        name_fr="Coopérative des amandes de Tafoughalt",
        name_ar="تعاونية تافوغالت للوز",
        registration_number="ODCO-2015-2140",
        province="Berkane",
        phone="+212 670 13 58 26",
        address="Village de Tafoughalt, massif des Beni Snassen, Berkane",
        members_total=31, members_women=17, members_youth=8,
        commission_rate=Decimal("0.12"),
        payout_bank="Crédit Agricole du Maroc – agence Berkane",
        payout_account=_rib("225", "633", "0006610025470931"),
        payout_holder="Coopérative des amandes de Tafoughalt",
    ),
    dict(
        key="jerada_honey",
        name_fr="Coopérative apicole Nahla – Jerada",
        name_ar="تعاونية النحلة لتربية النحل – جرادة",
        registration_number="ODCO-2013-1562",
        province="Jerada",
        phone="+212 662 77 30 41",
        email="nahla.jerada@example.com",
        address="Quartier Hassi Blal, Jerada",
        members_total=19, members_women=5, members_youth=10,
        commission_rate=None,
        payout_bank="Bank of Africa – agence Jerada",
        payout_account=_rib("011", "641", "0000290017734503"),
        payout_holder="Coopérative apicole Nahla",
    ),
    dict(
        key="driouch_honey",
        name_fr="Coopérative apicole Asal Arrif – Driouch",
        name_ar="تعاونية عسل الريف – الدريوش",
        registration_number="ODCO-2017-2689",
        province="Driouch",
        phone="+212 655 90 12 64",
        address="Commune de Midar, province de Driouch",
        members_total=15, members_women=3, members_youth=7,
        commission_rate=Decimal("0.15"),
        payout_bank="Al Barid Bank – agence Driouch",
        payout_account=_rib("350", "623", "0000518836600217"),
        payout_holder="Coopérative apicole Asal Arrif",
    ),
    dict(
        key="jerada_plants",
        name_fr="Coopérative Azir des plantes aromatiques et médicinales – Aïn Bni Mathar",
        name_ar="تعاونية أزير للنباتات العطرية والطبية – عين بني مطهر",
        registration_number="ODCO-2012-1203",
        province="Jerada",
        phone="+212 536 78 15 09",
        address="Route de Tendrara, Aïn Bni Mathar",
        members_total=40, members_women=26, members_youth=12,
        commission_rate=None,
        payout_bank="Banque Populaire – agence Aïn Bni Mathar",
        payout_account=_rib("190", "642", "0030882214590078"),
        payout_holder="Coopérative Azir",
    ),
    dict(
        key="nador_plants",
        name_fr="Coopérative Tifaouine des plantes médicinales – Nador",
        name_ar="تعاونية تيفاوين للنباتات الطبية – الناظور",
        registration_number="ODCO-2019-3015",
        province="Nador",
        phone="+212 536 33 58 72",
        email="tifaouine.nador@example.com",
        address="Quartier Ouled Mimoun, Selouane, Nador",
        members_total=12, members_women=12, members_youth=5,
        commission_rate=Decimal("0.08"),
        payout_bank="CIH Bank – agence Nador",
        payout_account=_rib("230", "622", "0114920388101007"),
        payout_holder="Coopérative Tifaouine",
    ),
    dict(
        key="guercif_couscous",
        name_fr="Coopérative féminine Nour du couscous – Guercif",
        name_ar="التعاونية النسوية نور للكسكس – جرسيف",
        registration_number="ODCO-2010-0788",
        province="Guercif",
        phone="+212 535 67 20 33",
        address="Hay Al Massira, Guercif",
        members_total=27, members_women=27, members_youth=9,
        commission_rate=Decimal("0.08"),
        payout_bank="Crédit Agricole du Maroc – agence Guercif",
        payout_account=_rib("225", "351", "0007745012036684"),
        payout_holder="Coopérative féminine Nour",
    ),
    dict(
        key="oujda_crafts",
        name_fr="Coopérative féminine Al Wafae de tissage et vannerie – Oujda",
        name_ar="التعاونية النسوية الوفاء للنسيج وصناعة السلال – وجدة",
        registration_number="ODCO-2016-2377",
        province="Oujda-Angad",
        phone="+212 536 50 84 16",
        email="alwafae.oujda@example.com",
        address="Quartier Lazaret, Oujda",
        members_total=21, members_women=21, members_youth=6,
        commission_rate=None,
        payout_bank="Attijariwafa bank – agence Oujda Zerktouni",
        payout_account=_rib("007", "640", "0002117563300094"),
        payout_holder="Coopérative féminine Al Wafae",
    ),
]

# --- Products -------------------------------------------------------------------------------
NUTS = "amandes / fruits à coque"


def _bulk(sku, name_fr, name_ar, category, uom, shelf_life_days, price=None, **extra):
    """A bulk product, counted in kg or litres; price is per kg/litre or None (not sold loose)."""
    return dict(sku=sku, name_fr=name_fr, name_ar=name_ar, category=category, kind="bulk",
                uom=uom, retail_price=Decimal(price) if price else None,
                shelf_life_days=shelf_life_days, **extra)


def _unit(sku, name_fr, name_ar, category, net, content_uom, price, shelf_life_days,
          gtin_ref=None, **extra):
    """A packaged unit counted in pieces, with its net content and an optional demo GTIN."""
    return dict(sku=sku, name_fr=name_fr, name_ar=name_ar, category=category, kind="unit",
                uom="pc", net_content=Decimal(net), content_uom=content_uom,
                retail_price=Decimal(price), shelf_life_days=shelf_life_days,
                gtin=_gtin(gtin_ref) if gtin_ref else None, **extra)


PRODUCTS = [
    # Dates of Figuig
    _bulk("DAT-AZ-VRAC", "Dattes Aziza – vrac", "تمور عزيزة – سائبة", "dates", "kg", 365, "95.00",
          description="Dattes Aziza de la palmeraie de Figuig, reçues en caisses pour conditionnement."),
    _unit("DAT-AZ-500", "Dattes Aziza – boîte 500 g", "تمور عزيزة – علبة 500 غ", "dates",
          "0.500", "kg", "55.00", 365, gtin_ref=10001),
    _unit("DAT-AZ-1K", "Dattes Aziza – boîte 1 kg", "تمور عزيزة – علبة 1 كغ", "dates",
          "1.000", "kg", "100.00", 365, gtin_ref=10002),
    _unit("DAT-BF-500", "Dattes Boufeggous – barquette 500 g", "تمور بوفقوس – علبة 500 غ", "dates",
          "0.500", "kg", "40.00", 270),
    _unit("DAT-PAT-250", "Pâte de dattes – 250 g", "عجينة التمر – 250 غ", "dates",
          "0.250", "kg", "22.00", 365),
    # Olive oil of Taourirt and Berkane
    _bulk("HUI-EV-VRAC", "Huile d'olive extra vierge – vrac", "زيت الزيتون البكر الممتاز – سائب",
          "olive_oil", "l", 540, "85.00",
          description="Huile d'olive extra vierge de première pression à froid, reçue en fûts."),
    _unit("HUI-EV-1L", "Huile d'olive extra vierge – bouteille 1 L",
          "زيت الزيتون البكر الممتاز – قنينة 1 ل", "olive_oil", "1.000", "l", "110.00", 540,
          gtin_ref=20001),
    _unit("HUI-EV-50CL", "Huile d'olive extra vierge – bouteille 50 cl",
          "زيت الزيتون البكر الممتاز – قنينة 50 سل", "olive_oil", "0.500", "l", "60.00", 540,
          gtin_ref=20002),
    _unit("HUI-V-5L", "Huile d'olive vierge – bidon 5 L", "زيت الزيتون البكر – عبوة 5 ل",
          "olive_oil", "5.000", "l", "420.00", 540),
    # Honey
    _bulk("MIE-TH-VRAC", "Miel de thym – vrac", "عسل الزعتر – سائب", "honey", "kg", 730, "300.00"),
    _unit("MIE-TH-250", "Miel de thym – pot 250 g", "عسل الزعتر – مرطبان 250 غ", "honey",
          "0.250", "kg", "85.00", 730, gtin_ref=30001),
    _unit("MIE-TH-500", "Miel de thym – pot 500 g", "عسل الزعتر – مرطبان 500 غ", "honey",
          "0.500", "kg", "160.00", 730),
    _unit("MIE-EU-250", "Miel d'euphorbe – pot 250 g", "عسل الدغموس – مرطبان 250 غ", "honey",
          "0.250", "kg", "95.00", 730, gtin_ref=30002,
          description="Miel d'euphorbe (daghmous), goût puissant et légèrement poivré."),
    _unit("MIE-RO-500", "Miel de romarin – pot 500 g", "عسل إكليل الجبل – مرطبان 500 غ", "honey",
          "0.500", "kg", "120.00", 730),
    # Almonds of the Beni Snassen
    _bulk("AMA-DEC-VRAC", "Amandes beldi décortiquées – vrac", "لوز بلدي مقشر – سائب", "almonds",
          "kg", 365, "140.00", allergens=NUTS),
    _unit("AMA-DEC-250", "Amandes décortiquées – sachet 250 g", "لوز مقشر – كيس 250 غ", "almonds",
          "0.250", "kg", "40.00", 365, gtin_ref=40001, allergens=NUTS),
    _unit("AMA-GR-200", "Amandes grillées salées – sachet 200 g", "لوز محمص ومملح – كيس 200 غ",
          "almonds", "0.200", "kg", "35.00", 180, allergens=NUTS),
    # Desert truffles (terfess) of the high plateaus
    _bulk("TRU-FR-VRAC", "Truffes du désert (terfess) fraîches – vrac", "ترفاس طري – سائب",
          "truffles", "kg", 10, "250.00",
          description="Terfess récolté après les pluies de printemps; à conditionner sans attendre."),
    _unit("TRU-BOC-300", "Truffes du désert au naturel – bocal 300 g",
          "ترفاس طبيعي – مرطبان 300 غ", "truffles", "0.300", "kg", "120.00", 730, gtin_ref=50001),
    _unit("TRU-SEC-100", "Truffes du désert séchées – sachet 100 g", "ترفاس مجفف – كيس 100 غ",
          "truffles", "0.100", "kg", "90.00", 365),
    # Aromatic and medicinal plants
    _bulk("PAM-ROM-VRAC", "Romarin séché – vrac", "إكليل الجبل المجفف – سائب", "aromatic_plants",
          "kg", 540, None),
    _unit("PAM-ROM-100", "Romarin séché – sachet 100 g", "إكليل الجبل المجفف – كيس 100 غ",
          "aromatic_plants", "0.100", "kg", "15.00", 540, gtin_ref=60001),
    _unit("PAM-ARM-50", "Armoise (chih) – sachet 50 g", "الشيح – كيس 50 غ", "aromatic_plants",
          "0.050", "kg", "12.00", 540),
    _unit("PAM-VER-50", "Verveine odorante – sachet 50 g", "اللويزة – كيس 50 غ", "aromatic_plants",
          "0.050", "kg", "15.00", 540, gtin_ref=60002),
    _unit("PAM-THY-100", "Thym séché (zaatar) – sachet 100 g", "زعتر مجفف – كيس 100 غ",
          "aromatic_plants", "0.100", "kg", "15.00", 540),
    _unit("PAM-HE-ROM-10", "Huile essentielle de romarin – flacon 10 ml",
          "زيت إكليل الجبل العطري – قارورة 10 مل", "aromatic_plants", "0.010", "l", "45.00", 1095,
          gtin_ref=60003),
    # Cereal derivatives
    _bulk("CER-ORG-VRAC", "Orge concassée – vrac", "شعير مكسر – سائب", "cereal_derivatives", "kg",
          180, None, allergens="gluten (orge)"),
    _unit("CER-CSO-1K", "Couscous d'orge – 1 kg", "كسكس الشعير – 1 كغ", "cereal_derivatives",
          "1.000", "kg", "30.00", 365, gtin_ref=70001, allergens="gluten (orge)"),
    _unit("CER-CSB-1K", "Couscous de blé dur roulé à la main – 1 kg",
          "كسكس القمح الصلب المفتول باليد – 1 كغ", "cereal_derivatives", "1.000", "kg", "28.00",
          365, allergens="gluten (blé)"),
    _unit("CER-BEL-1K", "Belboula (orge concassée) – 1 kg", "بلبولة (شعير مكسر) – 1 كغ",
          "cereal_derivatives", "1.000", "kg", "18.00", 270, gtin_ref=70002,
          allergens="gluten (orge)"),
    _unit("CER-TCH-500", "Tchicha (gruau d'orge) – 500 g", "تشيشة (دشيشة الشعير) – 500 غ",
          "cereal_derivatives", "0.500", "kg", "12.00", 270, allergens="gluten (orge)"),
    # Crafts: counted in pieces; the net content is the item's weight.
    _unit("ART-PAN-ALFA-M", "Panier tressé en alfa – moyen", "سلة منسوجة من الحلفاء – متوسطة",
          "crafts", "0.350", "kg", "90.00", None, gtin_ref=80001),
    _unit("ART-COF-DOUM-L", "Couffin en doum – grand", "قفة من الدوم – كبيرة", "crafts",
          "0.600", "kg", "120.00", None),
    _unit("ART-ZER-6090", "Tapis zerbia tissé main – 60 × 90 cm",
          "زربية منسوجة يدويا – 60 × 90 سم", "crafts", "2.500", "kg", "650.00", None),
    # Other
    _unit("OTH-OLV-500", "Olives noires beldi – bocal 500 g", "زيتون أسود بلدي – مرطبان 500 غ",
          "other", "0.500", "kg", "35.00", 365),
    _unit("OTH-SEL-500", "Sellou aux amandes – boîte 500 g", "سلو باللوز – علبة 500 غ", "other",
          "0.500", "kg", "60.00", 90, gtin_ref=90001,
          allergens=NUTS + ", gluten (blé), sésame"),
    _unit("OTH-COF-ORI", "Coffret cadeau de l'Oriental (dattes, miel, amandes)",
          "علبة هدايا الجهة الشرقية (تمور، عسل، لوز)", "other", "1.000", "kg", "250.00", 180,
          gtin_ref=90002, allergens=NUTS),
]

# --- Locations ------------------------------------------------------------------------------
PLATFORM_ADDRESS = "Plateforme logistique de l'Oriental, zone industrielle, Oujda"

LOCATIONS = [
    dict(code="WH-RECEPTION", kind="warehouse", name_fr="Entrepôt – réception",
         name_ar="المستودع – الاستقبال", address=PLATFORM_ADDRESS, province="Oujda-Angad"),
    dict(code="WH-STOCK", kind="warehouse", name_fr="Entrepôt – stockage",
         name_ar="المستودع – التخزين", address=PLATFORM_ADDRESS, province="Oujda-Angad"),
    dict(code="WH-PACK", kind="warehouse", name_fr="Entrepôt – conditionnement",
         name_ar="المستودع – التعبئة والتغليف", address=PLATFORM_ADDRESS, province="Oujda-Angad"),
    dict(code="SHOP-AIRPORT", kind="shop", name_fr="Boutique aéroport Oujda-Angad",
         name_ar="متجر مطار وجدة أنجاد",
         address="Aéroport international Oujda-Angad, hall des départs, Oujda",
         province="Oujda-Angad"),
    dict(code="STAND-OUJDA", kind="shop", name_fr="Stand solidaire – Oujda centre",
         name_ar="الرواق التضامني – وسط وجدة",
         address="Place du 16 Août, près de Bab Sidi Abdelouahab, Oujda", province="Oujda-Angad"),
    dict(code="STAND-BERKANE", kind="shop", name_fr="Stand solidaire – Berkane",
         name_ar="الرواق التضامني – بركان",
         address="Boulevard Mohammed V, face au marché central, Berkane", province="Berkane"),
    dict(code="STAND-NADOR", kind="shop", name_fr="Stand solidaire – corniche de Nador",
         name_ar="الرواق التضامني – كورنيش الناظور",
         address="Corniche de la lagune de Marchica, Nador", province="Nador"),
]

# --- Users ----------------------------------------------------------------------------------
# (username, full name, role, locale, shop codes, cooperative key); passwords from DEMO_LOGINS.
USERS = [
    ("admin", "Nadia Mesbahi", "admin", "fr", (), None),
    ("operateur", "Youssef Boudchiche", "operator", "fr", (), None),
    ("caissier", "Hicham Zaoui", "cashier", "fr", ("SHOP-AIRPORT",), None),
    ("caissier.stand", "فاطمة الزهراء بوزيان", "cashier", "ar", ("STAND-OUJDA", "STAND-BERKANE"),
     None),
    ("coop.figuig", "Mohammed Bensaïd", "cooperative", "fr", (), "figuig_dates"),
    ("coop.taourirt", "Khadija Amrani", "cooperative", "fr", (), "taourirt_oil"),
    ("observatoire", "Observatoire régional de l'ESS", "observer", "fr", (), None),
    ("acheteur.hotel", "Leïla Chraïbi", "buyer", "fr", (), None),
]

# Buyers (fictitious): a hotel of Oujda on its own price list and 30-day terms, and a traveller
# picking a gift box up at the airport shop. Users of the buyer role name theirs here.
BUYERS = [
    dict(key="hotel", kind="business", name="Hôtel Les Orangers – Oujda", ice="001234567000089",
         if_number="45123456", rc="RC Oujda 31457", address="12 boulevard Mohammed V, Oujda",
         contact_name="Leïla Chraïbi", phone="+212 536 00 00 01", email="achats@orangers.example",
         payment_terms_days=30),
    dict(key="traveller", kind="private", name="Samir El Idrissi", phone="+212 661 00 00 02"),
]
BUYER_USERS = {"acheteur.hotel": "hotel"}
