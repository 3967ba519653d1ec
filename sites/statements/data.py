"""The exact rows of every statement page: the single source of truth the pages render from.

Pure Python, no Flask: extraction tests import :data:`STATEMENTS` and compare each extracted
row (date, label, signed ``Decimal`` amount, currency) with these. Rows are written by hand,
newest first, as each country's banks label them (merchants, payees, booking texts), over
periods that make the locale's tricky month names appear (Sept./sept/set., März/mrt,
genitive listopada/ноября...). Balances are derived, so a page showing a running balance or a
closing balance agrees with its rows by construction.
"""

from __future__ import annotations

from dataclasses import dataclass, field
from datetime import date
from decimal import Decimal

from .ids import iban, italian_bban, portuguese_bban, serbian_account, spanish_bban

__all__ = ["LOCALES", "STATEMENTS", "Row", "Statement"]

Day = date
"""``date`` under another name, for annotations inside :class:`Row` (whose field is ``date``)."""


@dataclass(frozen=True)
class Row:
    """One booked operation. ``amount`` is signed (money out is negative).

    ``kind`` is the page's booking-type text where it shows one (Списание, Lastschrift,
    Débito, Af...); ``value_date`` the second date column where there is one; ``details`` an
    extra text the page shows beside the label (a purpose line, a category, a transaction
    type), never part of the label.
    """

    date: date
    label: str
    amount: Decimal
    currency: str
    kind: str = ""
    value_date: Day | None = None
    details: str = ""


@dataclass(frozen=True)
class Statement:
    """One page: a bank, an account, a period, the opening balance and the rows."""

    locale: str
    bank: str
    product: str
    holder: str
    account: str
    currency: str
    period: tuple[date, date]
    opening_balance: Decimal
    rows: list[Row] = field(default_factory=list)

    @property
    def closing_balance(self) -> Decimal:
        return self.opening_balance + sum((r.amount for r in self.rows), Decimal("0"))

    def balance_after(self, index: int) -> Decimal:
        """The running balance after row ``index`` (rows are newest first)."""
        return self.closing_balance - sum((r.amount for r in self.rows[:index]), Decimal("0"))


def _rows(currency: str, *specs: tuple[object, ...]) -> list[Row]:
    """Rows from compact tuples: (date, label, amount[, kind[, value_date[, details]]])."""
    out: list[Row] = []
    for spec in specs:
        day, label, amount, *rest = spec
        kind = str(rest[0]) if len(rest) > 0 else ""
        value_date = rest[1] if len(rest) > 1 else None
        details = str(rest[2]) if len(rest) > 2 else ""
        assert isinstance(day, date) and isinstance(label, str)
        assert value_date is None or isinstance(value_date, date)
        out.append(Row(day, label, Decimal(str(amount)), currency, kind, value_date, details))
    return out


D = date
OUT, IN = "Списание", "Зачисление"

RU = Statement(
    "ru", "Банк Волга", "Дебетовая карта МИР •• 4417", "Иван Сергеевич Петров",
    "40817 810 5 3800 0123456", "RUB", (D(2026, 9, 1), D(2026, 11, 20)), Decimal("48312.40"),
    _rows("RUB",
          (D(2026, 11, 19), "Пятёрочка", "-1234.56", OUT, None, "Супермаркеты"),
          (D(2026, 11, 19), "Яндекс Go", "-486.00", OUT, None, "Транспорт"),
          (D(2026, 11, 18), "Перевод по СБП — Мария Ивановна К.", "-15000.00", OUT,
           None, "Переводы"),
          (D(2026, 11, 16), "ВкусВилл", "-2317.90", OUT, None, "Супермаркеты"),
          (D(2026, 11, 12), "Кешбэк за октябрь", "1205.30", IN, None, "Бонусы"),
          (D(2026, 11, 10), "Зарплата — ООО «Северный ветер»", "96450.00", IN, None, "Зарплата"),
          (D(2026, 11, 5), "Мосэнергосбыт — электроэнергия", "-3184.27", OUT, None, "ЖКХ"),
          (D(2026, 10, 28), "Wildberries", "-4599.00", OUT, None, "Маркетплейсы"),
          (D(2026, 10, 23), "Аванс — ООО «Северный ветер»", "41300.00", IN, None, "Зарплата"),
          (D(2026, 10, 21), "МТС — мобильная связь", "-650.00", OUT, None, "Связь"),
          (D(2026, 10, 14), "Снятие наличных, банкомат Банка Волга", "-10000.00", OUT,
           None, "Наличные"),
          (D(2026, 10, 9), "Зарплата — ООО «Северный ветер»", "96450.00", IN, None, "Зарплата"),
          (D(2026, 9, 30), "Перекрёсток", "-5872.14", OUT, None, "Супермаркеты"),
          (D(2026, 9, 18), "Ozon", "-12990.00", OUT, None, "Маркетплейсы"),
          (D(2026, 9, 3), "Аптека «Ригла»", "-1146.50", OUT, None, "Здоровье")),
)

DE = Statement(
    "de", "Stadtsparkasse Nordheim", "Girokonto", "Anna Schneider",
    iban("DE", "50050201" + "0123456789"), "EUR", (D(2026, 3, 1), D(2026, 11, 20)),
    Decimal("2118.04"),
    _rows("EUR",
          (D(2026, 11, 19), "REWE Markt GmbH", "-63.18", "Kartenzahlung", D(2026, 11, 19),
           "girocard 18.11.2026 18:42 Nordheim"),
          (D(2026, 11, 17), "Stadtwerke Nordheim GmbH", "-142.00", "Lastschrift",
           D(2026, 11, 17), "Abschlag Strom/Gas 11/2026"),
          (D(2026, 11, 16), "Familie Weber", "-1234.56", "Überweisung", D(2026, 11, 16),
           "Miete Dezember 2026"),
          (D(2026, 10, 30), "Nordlicht Software GmbH", "3412.77", "Gehalt/Rente",
           D(2026, 10, 30), "Lohn/Gehalt 10/2026"),
          (D(2026, 10, 5), "Familie Weber", "-1234.56", "Dauerauftrag", D(2026, 10, 5),
           "Miete November 2026"),
          (D(2026, 9, 14), "Sparkasse Nordheim", "-200.00", "Bargeldauszahlung",
           D(2026, 9, 14), "GA 14.09.2026 Nordheim Marktplatz"),
          (D(2026, 9, 1), "Allianz Versicherungs-AG", "-487.30", "Lastschrift", D(2026, 9, 1),
           "Kfz-Versicherung 2026/2027"),
          (D(2026, 7, 31), "Nordlicht Software GmbH", "3412.77", "Gehalt/Rente",
           D(2026, 7, 31), "Lohn/Gehalt 07/2026"),
          (D(2026, 7, 20), "DB Fernverkehr AG", "-129.90", "Kartenzahlung", D(2026, 7, 20),
           "girocard 18.07.2026 Bahnhof Nordheim"),
          (D(2026, 6, 15), "Finanzamt Nordheim", "1086.00", "Gutschrift", D(2026, 6, 15),
           "Erstattung Einkommensteuer 2025"),
          (D(2026, 5, 4), "Telekom Deutschland GmbH", "-49.95", "Lastschrift", D(2026, 5, 4),
           "Rechnung 04/2026"),
          (D(2026, 3, 30), "IKEA Deutschland GmbH & Co. KG", "-312.40", "Kartenzahlung",
           D(2026, 3, 28), "girocard 28.03.2026 Wallau"),
          (D(2026, 3, 2), "Stadtsparkasse Nordheim", "-6.90", "Entgelt", D(2026, 2, 27),
           "Entgelt Kontoführung 02/2026")),
)

PT = Statement(
    "pt", "Caixa Atlântica", "Conta à Ordem", "Maria Fernandes",
    iban("PT", portuguese_bban("0035", "0651", "00012345678")), "EUR",
    (D(2026, 9, 1), D(2026, 11, 20)),
    Decimal("2841.37"),
    _rows("EUR",
          (D(2026, 11, 19), "COMPRA 4312 CONTINENTE LISBOA", "-87.42", "Débito",
           D(2026, 11, 19)),
          (D(2026, 11, 18), "MB WAY DE ANA COSTA", "25.00", "Crédito", D(2026, 11, 18)),
          (D(2026, 11, 17), "PAG SERV 21001 EDP COMERCIAL", "-96.31", "Débito", D(2026, 11, 17)),
          (D(2026, 11, 13), "TRF P/ JOAO MARTINS RENDA DEZ", "-1234.56", "Débito",
           D(2026, 11, 13)),
          (D(2026, 11, 2), "COMISSAO MANUTENCAO CONTA", "-5.41", "Débito", D(2026, 10, 31)),
          (D(2026, 11, 2), "IMPOSTO DO SELO S/ COMISSAO", "-0.22", "Débito", D(2026, 10, 31)),
          (D(2026, 10, 30), "TRF DE TECNOPORTO LDA ORDENADO OUT", "1845.60", "Crédito",
           D(2026, 10, 30)),
          (D(2026, 10, 22), "LEVANTAMENTO MB PORTO", "-60.00", "Débito", D(2026, 10, 22)),
          (D(2026, 10, 15), "DD MEO SA", "-44.99", "Débito", D(2026, 10, 15)),
          (D(2026, 10, 8), "COMPRA 4312 PINGO DOCE PORTO", "-53.17", "Débito", D(2026, 10, 8)),
          (D(2026, 9, 30), "TRF DE TECNOPORTO LDA ORDENADO SET", "1845.60", "Crédito",
           D(2026, 9, 30)),
          (D(2026, 9, 24), "COMPRA 4312 GALP ENERGIA MATOSINHOS", "-62.05", "Débito",
           D(2026, 9, 24)),
          (D(2026, 9, 10), "PAG SERV 10297 AGUAS DO PORTO", "-31.88", "Débito", D(2026, 9, 10)),
          (D(2026, 9, 2), "DD VIA VERDE PORTUGAL", "-18.45", "Débito", D(2026, 9, 2))),
)

ES = Statement(
    "es", "Banco Meseta", "Cuenta Nómina", "Javier Morales Ruiz",
    iban("ES", spanish_bban("2085", "0420", "0301234567")), "EUR", (D(2026, 8, 1), D(2026, 11, 20)),
    Decimal("3402.18"),
    _rows("EUR",
          (D(2026, 11, 19), "COMPRA TARJ. 5402XXXXXXXX8841 MERCADONA MADRID", "-74.38", "",
           D(2026, 11, 19)),
          (D(2026, 11, 18), "BIZUM DE LAURA GOMEZ, CENA", "18.50", "", D(2026, 11, 18)),
          (D(2026, 11, 16), "RECIBO IBERDROLA CLIENTES, S.A.U.", "-68.74", "", D(2026, 11, 16)),
          (D(2026, 11, 2), "TRANSFERENCIA A INMOBILIARIA SOL S.L., ALQUILER NOVIEMBRE",
           "-1234.56", "", D(2026, 11, 2)),
          (D(2026, 10, 30), "NOMINA ACME SOLUCIONES S.L.", "2186.40", "", D(2026, 10, 30)),
          (D(2026, 10, 21), "RETIRADA CAJERO BANCO MESETA C/ ALCALA 120", "-100.00", "",
           D(2026, 10, 21)),
          (D(2026, 10, 14), "RECIBO MOVISTAR - TELEFONICA DE ESPAÑA", "-58.90", "",
           D(2026, 10, 14)),
          (D(2026, 10, 5), "COMPRA TARJ. 5402XXXXXXXX8841 EL CORTE INGLES", "-149.95", "",
           D(2026, 10, 3)),
          (D(2026, 9, 30), "NOMINA ACME SOLUCIONES S.L.", "2186.40", "", D(2026, 9, 30)),
          (D(2026, 9, 15), "ADEUDO MAPFRE ESPAÑA SEGURO HOGAR", "-212.33", "", D(2026, 9, 15)),
          (D(2026, 9, 1), "TRANSFERENCIA A INMOBILIARIA SOL S.L., ALQUILER SEPTIEMBRE",
           "-1234.56", "", D(2026, 9, 1)),
          (D(2026, 8, 28), "NOMINA ACME SOLUCIONES S.L.", "2186.40", "", D(2026, 8, 28)),
          (D(2026, 8, 10), "COMPRA TARJ. 5402XXXXXXXX8841 RENFE VIAJEROS", "-45.60", "",
           D(2026, 8, 8))),
)

IT = Statement(
    "it", "Banca del Lario", "Conto corrente", "Luca Rossi",
    iban("IT", italian_bban("03069", "09606", "100000012345")), "EUR",
    (D(2026, 9, 1), D(2026, 11, 20)),
    Decimal("4120.33"),
    _rows("EUR",
          (D(2026, 11, 19), "PAGAMENTO POS ESSELUNGA MILANO VIALE PAPINIANO", "-92.47", "Dare",
           D(2026, 11, 19)),
          (D(2026, 11, 17), "ADDEBITO SDD ENEL ENERGIA S.P.A.", "-118.60", "Dare",
           D(2026, 11, 17)),
          (D(2026, 11, 10), "BONIFICO ISTANTANEO DA GIULIA BIANCHI - QUOTA VACANZE", "250.00",
           "Avere", D(2026, 11, 10)),
          (D(2026, 11, 2), "BONIFICO A FAVORE DI IMMOBILIARE NAVIGLI SRL - CANONE NOVEMBRE",
           "-1234.56", "Dare", D(2026, 11, 2)),
          (D(2026, 10, 27), "ACCREDITO STIPENDIO ROSSI INFORMATICA SRL", "2045.18", "Avere",
           D(2026, 10, 27)),
          (D(2026, 10, 16), "PAGAMENTO F24 AGENZIA DELLE ENTRATE", "-312.00", "Dare",
           D(2026, 10, 16)),
          (D(2026, 10, 9), "PRELIEVO BANCOMAT ATM BANCA DEL LARIO COMO", "-150.00", "Dare",
           D(2026, 10, 9)),
          (D(2026, 10, 1), "BONIFICO A FAVORE DI IMMOBILIARE NAVIGLI SRL - CANONE OTTOBRE",
           "-1234.56", "Dare", D(2026, 10, 1)),
          (D(2026, 9, 30), "IMPOSTA DI BOLLO 3 TRIMESTRE 2026", "-8.55", "Dare", D(2026, 9, 30)),
          (D(2026, 9, 30), "COMMISSIONI TENUTA CONTO", "-7.50", "Dare", D(2026, 9, 30)),
          (D(2026, 9, 28), "ACCREDITO STIPENDIO ROSSI INFORMATICA SRL", "2045.18", "Avere",
           D(2026, 9, 28)),
          (D(2026, 9, 14), "ADDEBITO SDD TIM S.P.A.", "-29.90", "Dare", D(2026, 9, 14)),
          (D(2026, 9, 3), "PAGAMENTO POS TRENITALIA MILANO CENTRALE", "-54.90", "Dare",
           D(2026, 9, 3))),
)

NL = Statement(
    "nl", "Polderbank", "Betaalrekening", "S. de Jong",
    iban("NL", "PLDB" "0417164300"), "EUR", (D(2026, 3, 1), D(2026, 11, 20)),
    Decimal("1876.22"),
    _rows("EUR",
          (D(2026, 11, 19), "Albert Heijn 1403 AMSTERDAM", "-43.17", "Af", None, "Betaalautomaat"),
          (D(2026, 11, 18), "Tikkie J. de Vries", "12.50", "Bij", None, "Online bankieren"),
          (D(2026, 11, 17), "Vattenfall Klantenservice N.V.", "-156.00", "Af", None, "Incasso"),
          (D(2026, 11, 2), "Woonstichting De Key", "-1234.56", "Af",
           None, "Periodieke overboeking"),
          (D(2026, 10, 23), "Tulip Tech B.V.", "3127.45", "Bij", None, "Overschrijving"),
          (D(2026, 10, 19), "NS Groep via iDEAL", "-27.80", "Af", None, "iDEAL"),
          (D(2026, 10, 12), "Geldautomaat Damrak AMSTERDAM", "-50.00", "Af", None, "Geldautomaat"),
          (D(2026, 10, 1), "Woonstichting De Key", "-1234.56", "Af",
           None, "Periodieke overboeking"),
          (D(2026, 9, 24), "Tulip Tech B.V.", "3127.45", "Bij", None, "Overschrijving"),
          (D(2026, 9, 15), "Belastingdienst", "412.00", "Bij", None, "Overschrijving"),
          (D(2026, 9, 8), "Jumbo Supermarkten AMSTERDAM", "-67.34", "Af", None, "Betaalautomaat"),
          (D(2026, 9, 2), "Bol.com via iDEAL", "-89.99", "Af", None, "iDEAL"),
          (D(2026, 5, 26), "Tulip Tech B.V.", "2480.00", "Bij", None, "Overschrijving"),
          (D(2026, 3, 18), "Belastingdienst", "-326.00", "Af", None, "Online bankieren")),
)

PL = Statement(
    "pl", "Bank Wisła", "Konto Osobiste", "Katarzyna Nowak",
    iban("PL", "1020" "1026" "0000" "0402" "0123" "4567"), "PLN",
    (D(2026, 9, 1), D(2026, 11, 20)), Decimal("5318.72"),
    _rows("PLN",
          (D(2026, 11, 19), "BIEDRONKA 3421 WARSZAWA", "-87.36", "Płatność kartą",
           D(2026, 11, 20)),
          (D(2026, 11, 18), "Anna Kowalska — pizza", "-45.00", "Przelew na telefon BLIK",
           D(2026, 11, 18)),
          (D(2026, 11, 16), "ORLEN STACJA NR 4412 WARSZAWA", "-263.18", "Płatność kartą",
           D(2026, 11, 17)),
          (D(2026, 11, 10), "ACME Polska Sp. z o.o. — wynagrodzenie za październik 2026",
           "7842.15", "Przelew przychodzący", D(2026, 11, 10)),
          (D(2026, 11, 5), "SM Mokotów — czynsz listopad 2026", "-1234.56", "Zlecenie stałe",
           D(2026, 11, 5)),
          (D(2026, 10, 27), "ŻABKA Z4121 K.1 WARSZAWA", "-23.97", "Płatność kartą",
           D(2026, 10, 28)),
          (D(2026, 10, 20), "PGE Obrót S.A. — energia elektryczna", "-214.60",
           "Polecenie zapłaty", D(2026, 10, 20)),
          (D(2026, 10, 14), "Bankomat Euronet Warszawa Centralna", "-300.00",
           "Wypłata z bankomatu", D(2026, 10, 14)),
          (D(2026, 10, 9), "ACME Polska Sp. z o.o. — wynagrodzenie za wrzesień 2026",
           "7842.15", "Przelew przychodzący", D(2026, 10, 9)),
          (D(2026, 10, 5), "SM Mokotów — czynsz październik 2026", "-1234.56",
           "Zlecenie stałe", D(2026, 10, 5)),
          (D(2026, 9, 22), "Allegro.pl", "-399.99", "Płatność BLIK", D(2026, 9, 22)),
          (D(2026, 9, 15), "Orange Polska S.A. — faktura", "-69.99", "Polecenie zapłaty",
           D(2026, 9, 15)),
          (D(2026, 9, 10), "ACME Polska Sp. z o.o. — wynagrodzenie za sierpień 2026",
           "7842.15", "Przelew przychodzący", D(2026, 9, 10)),
          (D(2026, 9, 7), "SM Mokotów — czynsz wrzesień 2026", "-1234.56", "Zlecenie stałe",
           D(2026, 9, 7))),
)

SR = Statement(
    "sr", "Dunavska banka", "Tekući račun", "Nikola Stojanović",
    serbian_account("160", "0000000412377"), "RSD", (D(2026, 9, 1), D(2026, 11, 20)),
    Decimal("64218.90"),
    _rows("RSD",
          (D(2026, 11, 19), "MAXI 0231 NOVI SAD", "-1234.56", "", D(2026, 11, 20)),
          (D(2026, 11, 18), "IPS plaćanje – Jelena Nikolić", "-2500.00", "", D(2026, 11, 18)),
          (D(2026, 11, 15), "NIS PETROL BS 41 NOVI SAD", "-5870.00", "", D(2026, 11, 16)),
          (D(2026, 11, 10), "Zarada za oktobar 2026 – Panonija Soft d.o.o.", "118430.27", "",
           D(2026, 11, 10)),
          (D(2026, 11, 6), "JKP Informatika – objedinjena naplata", "-7812.40", "",
           D(2026, 11, 6)),
          (D(2026, 10, 29), "Yettel d.o.o. – mesečni račun", "-2399.00", "", D(2026, 10, 29)),
          (D(2026, 10, 20), "Podizanje gotovine – bankomat, Zmaj Jovina 5", "-10000.00", "",
           D(2026, 10, 20)),
          (D(2026, 10, 9), "Zarada za septembar 2026 – Panonija Soft d.o.o.", "118430.27", "",
           D(2026, 10, 9)),
          (D(2026, 9, 28), "Lilly drogerie 104 Novi Sad", "-1648.99", "", D(2026, 9, 29)),
          (D(2026, 9, 16), "EPS Snabdevanje – električna energija", "-4215.33", "",
           D(2026, 9, 16)),
          (D(2026, 9, 10), "Zarada za avgust 2026 – Panonija Soft d.o.o.", "116902.50", "",
           D(2026, 9, 10)),
          (D(2026, 9, 3), "Univerexport 12 Novi Sad", "-3377.80", "", D(2026, 9, 3))),
)

STATEMENTS: dict[str, Statement] = {s.locale: s for s in (RU, DE, PT, ES, IT, NL, PL, SR)}
"""Locale → its statement page (served at ``/<locale>``)."""

LOCALES = tuple(STATEMENTS)
