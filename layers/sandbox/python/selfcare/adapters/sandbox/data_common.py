"""Shape of the sandbox's per-country reference data, and the data all countries share."""

from __future__ import annotations

import random
import re
import unicodedata
from collections.abc import Callable
from dataclasses import dataclass

# Catalogue product ids (the same in the three countries).
INTERNET, TV, PHONE = 1, 2, 3
PRODUCT_NAMES = {INTERNET: "Internet", TV: "Televisión", PHONE: "Telefonía"}
# Telefonía add-ons that carry calls of their own (the same ids in every catalogue).
MOBILE_MINUTES, INTERNATIONAL_MINUTES = "31001", "31002"

MONTHS = (
    "Enero", "Febrero", "Marzo", "Abril", "Mayo", "Junio",
    "Julio", "Agosto", "Septiembre", "Octubre", "Noviembre", "Diciembre",
)  # fmt: skip

EMAIL_DOMAINS = ("gmail.com", "gmail.com", "gmail.com", "hotmail.com", "hotmail.com",
                 "yahoo.com", "outlook.com")  # fmt: skip
COMPANY_MAILBOXES = ("contabilidad", "gerencia", "administracion", "facturacion", "info")


@dataclass(frozen=True)
class Neighborhood:
    name: str
    stratum: int | None = None  # Colombia's estrato socioeconómico (1-6)
    zone: int | None = None  # Guatemala's zona


@dataclass(frozen=True)
class City:
    id: int  # DANE municipality code (co), INE municipality code (gt, sv)
    name: str
    phone_prefix: str  # leading digits of its fixed lines ("604", "2", "244")
    neighborhoods: tuple[Neighborhood, ...]


@dataclass(frozen=True)
class Department:
    id: str  # DANE (co) / INE (gt, sv) department code, "05"
    name: str
    weight: int  # share of customers living there
    cities: tuple[City, ...]


@dataclass(frozen=True)
class Promo:
    code: str
    percent: int  # discount on the regular price
    description: str


@dataclass(frozen=True)
class Plan:
    """A catalogue offering; base plans carry the product's devices, others are add-ons."""

    id: str
    product: int  # INTERNET, TV or PHONE
    name: str
    price: str  # monthly, VAT included, in the country's currency
    base: bool
    assets: str  # includedAssets: short summary for display
    description: str
    media: tuple[str, ...] = ("HFC", "FTTH")
    details: str = ""
    items: tuple[str, ...] = ()  # bundled items (speed, channel packs…)
    promo: Promo | None = None
    legacy: str = ""  # legacy id in the old billing system
    device: str = ""  # an add-on that installs a device (a DeviceModel kind)


@dataclass(frozen=True)
class DeviceModel:
    id: int  # modelId
    manufacturer: str
    name: str
    kind: str  # Device.type
    media: tuple[str, ...]  # which networks it works on
    serial: str  # serial pattern: "#" digit, "X" hex, "A" letter, other chars literal


@dataclass(frozen=True)
class CountryData:
    first_names_male: tuple[str, ...]
    first_names_female: tuple[str, ...]
    surnames: tuple[str, ...]
    company_kinds: tuple[str, ...]
    company_names: tuple[str, ...]
    company_suffix: str  # " S.A.S.", with its separator
    company_tld: str  # "com.co"
    departments: tuple[Department, ...]
    street: Callable[[random.Random, Neighborhood], tuple[str, str]]  # (line 1, line 2)
    media_weights: dict[str, int]  # contract access network -> weight
    plans: tuple[Plan, ...]
    banks: tuple[str, ...]
    mobile_operators: tuple[str, ...]
    international: tuple[tuple[str, str, str, str], ...]  # (dial prefix, area, city, state)
    international_prefix: str  # "00", or "005" (Tigo-UNE's carrier code in Colombia)
    contractors: tuple[str, ...]  # field-service companies
    photo_host: str  # technicians' pictures
    document_weights: dict[str, int]  # lower-case document code -> share; the first is usual
    rare_document: str  # a less common type for the demo customers
    contract_digits: int
    debit_recurring: bool = False  # recurring billing also by automatic bank debit
    card_brands: tuple[str, ...] = ("VISA", "VISA", "MASTERCARD")
    billing_systems: tuple[int, ...] = (1,)


# Home gateways, ONTs and set-top boxes Tigo deploys (model ids are the sandbox's own).
DEVICES = (
    DeviceModel(101, "Technicolor", "CGA4233TIG", "Cable Modem", ("HFC",), "CP####A####"),
    DeviceModel(102, "Arris", "TG2482A", "Cable Modem", ("HFC",), "AAA#########"),
    DeviceModel(103, "Sagemcom", "F@st 3890", "Cable Modem", ("HFC",), "LK##########"),
    DeviceModel(104, "Huawei", "EchoLife HG8145V5", "ONT", ("FTTH",), "48575443XXXXXXXX"),
    DeviceModel(105, "ZTE", "F670L", "ONT", ("FTTH",), "ZTEGXXXXXXXX"),
    DeviceModel(201, "Arris", "DCX3200", "Decodificador", ("HFC",), "M#########A###"),
    DeviceModel(202, "Kaon", "KSTB6077", "Decodificador", ("HFC", "FTTH"), "KA##########"),
    DeviceModel(203, "Technicolor", "UIW4020TIG", "Decodificador", ("HFC", "FTTH"), "TC##########"),
    DeviceModel(204, "Huawei", "EC6110T", "Decodificador", ("FTTH",), "21##########"),
    DeviceModel(205, "Kaon", "KSF-SA700", "Decodificador satelital", ("DTH",), "KS##########"),
    DeviceModel(206, "Sagemcom", "DSI87-1 HD", "Decodificador satelital", ("DTH",), "SG##########"),
    DeviceModel(301, "Arris", "TM822G", "EMTA", ("HFC",), "AAA#########"),
    DeviceModel(302, "Technicolor", "TC7200", "EMTA", ("HFC",), "CP####A####"),
    DeviceModel(303, "Huawei", "EchoLife HG8245H", "ONT", ("FTTH",), "48575443XXXXXXXX"),
)
DEVICE_KINDS = {  # product -> device kinds its base offering installs
    INTERNET: ("Cable Modem", "ONT"),
    TV: ("Decodificador", "Decodificador satelital"),
    PHONE: ("EMTA", "ONT"),  # none on copper lines
}

# Service requests: (requestType, product, assigned group, transaction type, what is done).
REQUEST_TYPES = (
    ("Reparación Integral", INTERNET, "PREMISAS DEL CLIENTE", "Reparación",
     "Revisión de señal y cambio de conectores"),
    ("Reparación Integral", INTERNET, "SOPORTE TÉCNICO HOGAR", "Reparación",
     "Diagnóstico de intermitencia y velocidad"),
    ("Reparación Integral", TV, "PREMISAS DEL CLIENTE", "Reparación",
     "Sin señal en decodificador: revisión y reemplazo"),
    ("Reparación Integral", PHONE, "PLANTA EXTERNA", "Reparación", "Línea sin tono"),
    ("Traslado", INTERNET, "TRASLADOS", "Traslado", "Traslado de servicios a nueva dirección"),
    ("Instalación", TV, "INSTALACIONES", "Instalación", "Instalación de decodificador adicional"),
    ("Cambio de equipo", INTERNET, "SOPORTE TÉCNICO HOGAR", "Cambio de equipo",
     "Cambio de módem por equipo WiFi 6"),
)  # fmt: skip
OPEN_STATUSES = (("Abierto", "Pendiente de agenda"), ("En progreso", "En diagnóstico remoto"))
SCHEDULES = (("Franja AM", 7, 5), ("Franja PM", 13, 5), ("Hora Fija", 8, 1), ("Hora Fija", 15, 1))


def plain_ascii(text: str) -> str:
    """Accents dropped: "Peña Gómez" -> "Pena Gomez"."""
    return unicodedata.normalize("NFKD", text).encode("ascii", "ignore").decode()


def ascii_slug(text: str) -> str:
    """Lower-case ASCII letters and digits only: "Peña Gómez" -> "penagomez"."""
    return re.sub(r"[^a-z0-9]", "", plain_ascii(text).lower())


def serial_number(rng: random.Random, pattern: str) -> str:
    out = []
    for ch in pattern:
        if ch == "#":
            out.append(str(rng.randrange(10)))
        elif ch == "X":
            out.append("0123456789ABCDEF"[rng.randrange(16)])
        elif ch == "A":
            out.append(chr(65 + rng.randrange(26)))
        else:
            out.append(ch)
    return "".join(out)
