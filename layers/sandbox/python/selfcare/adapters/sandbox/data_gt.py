"""Guatemala (Tigo): names, INE departments/municipalities and zonas, catalogue in GTQ."""

from __future__ import annotations

import random

from selfcare.adapters.sandbox.data_common import (
    INTERNET,
    PHONE,
    TV,
    City,
    CountryData,
    Department,
    Neighborhood,
    Plan,
    Promo,
)


def _nb(*pairs: tuple[str, int | None]) -> tuple[Neighborhood, ...]:
    return tuple(Neighborhood(name, zone=zone) for name, zone in pairs)


DEPARTMENTS = (
    Department("01", "Guatemala", 50, (
        City(101, "Guatemala", "2", _nb(
            ("Centro Histórico", 1), ("Ciudad Nueva", 2), ("Colonia Los Álamos", 6),
            ("Colonia Kaminal Juyú", 7), ("Colonia Tívoli", 9), ("Colonia Oakland", 10),
            ("Colonia Mariscal", 11), ("Colonia La Reformita", 12), ("Colonia Aurora I", 13),
            ("Colonia Tecún Umán", 14), ("Colonia Vista Hermosa", 15), ("Colonia Lourdes", 16),
            ("Colonia Atlántida", 18), ("Colonia Justo Rufino Barrios", 21),
            ("Colonia Jardines de la Asunción", 5), ("Colonia Bran", 3),
        )),
        City(108, "Mixco", "6", _nb(
            ("Colonia El Naranjo", 4), ("Ciudad San Cristóbal", 8), ("Colonia Primero de Julio", 5),
            ("Colonia Monte Real", 4),
        )),
        City(115, "Villa Nueva", "6", _nb(
            ("Colonia El Paraíso", 4), ("Ciudad Peronia", 8), ("Residenciales Catalina", 1),
        )),
        City(102, "Santa Catarina Pinula", "6", _nb(("Aldea Puerta Parada", 1), ("El Carmen", 2))),
        City(117, "San Miguel Petapa", "6", _nb(("Colonia Villa Hermosa", 7),
                                                ("Residenciales Valle del Sol", 1))),
    )),
    Department("03", "Sacatepéquez", 6, (
        City(301, "Antigua Guatemala", "7", _nb(("Barrio La Merced", None), ("San Felipe", None),
                                                ("Barrio de Santa Ana", None))),
    )),
    Department("09", "Quetzaltenango", 10, (
        City(901, "Quetzaltenango", "7", _nb(("Centro Histórico", 1), ("Colonia Molina", 3),
                                             ("Colonia Los Altos", 7), ("La Democracia", 3))),
    )),
    Department("05", "Escuintla", 6, (
        City(501, "Escuintla", "7", _nb(("Colonia Santa Marta", 1), ("Colonia El Modelo", 3))),
    )),
    Department("04", "Chimaltenango", 4, (
        City(401, "Chimaltenango", "7", _nb(("Colonia Santa Isabel", 1), ("Los Aposentos", 4))),
    )),
    Department("16", "Alta Verapaz", 4, (
        City(1601, "Cobán", "7", _nb(("Barrio San Marcos", 1), ("Barrio Magdalena", 2))),
    )),
    Department("13", "Huehuetenango", 4, (
        City(1301, "Huehuetenango", "7", _nb(("Centro", 1), ("Colonia Los Cerezos", 5))),
    )),
    Department("18", "Izabal", 3, (
        City(1801, "Puerto Barrios", "7", _nb(("Barrio El Rastro", 1), ("Colonia Las Flores", 2))),
    )),
    Department("10", "Suchitepéquez", 3, (
        City(1001, "Mazatenango", "7", _nb(("Centro", 1), ("Colonia Bilbao", 2))),
    )),
    Department("11", "Retalhuleu", 2, (
        City(1101, "Retalhuleu", "7", _nb(("Centro", 1), ("Colonia La Trinidad", 3))),
    )),
    Department("20", "Chiquimula", 2, (
        City(2001, "Chiquimula", "7", _nb(("Barrio El Centro", 1), ("Colonia Magisterio", 2))),
    )),
    Department("22", "Jutiapa", 2, (
        City(2201, "Jutiapa", "7", _nb(("Barrio El Centro", 1), ("Colonia Terrazas", 3))),
    )),
)  # fmt: skip


def street(rng: random.Random, neighborhood: Neighborhood) -> tuple[str, str]:
    """Line 1 like "5a. Avenida 10-25 Zona 1"; Antigua has no zonas: "4a. Calle Oriente #12"."""
    n = rng.randint(1, 20)
    if neighborhood.zone is None:
        way = rng.choice(("Avenida Norte", "Avenida Sur", "Calle Oriente", "Calle Poniente"))
        return f"{n}a. {way} #{rng.randint(1, 60)}", neighborhood.name
    way = rng.choice(("Avenida", "Calle"))
    line = f"{n}a. {way} {rng.randint(1, 30)}-{rng.randint(1, 99):02d} Zona {neighborhood.zone}"
    unit = rng.choice(
        ("", "", f" Apto {rng.randint(1, 12)}{rng.choice('ABCD')}", f" Casa {rng.randint(1, 80)}")
    )
    return line + unit, neighborhood.name


HD = '"HD_Capable": "S"'
PLANS = (
    Plan("10050", INTERNET, "Internet 50 Mbps", "229.00", True,
         "50 Mbps de bajada, 5 Mbps de subida, WiFi",
         "Internet residencial para navegar y estudiar.",
         items=("Velocidad 50 Mbps", "WiFi"), legacy="GT-INT50"),
    Plan("10100", INTERNET, "Internet 100 Mbps", "299.00", True,
         "100 Mbps de bajada, 10 Mbps de subida, WiFi doble banda",
         "Internet residencial para streaming y teletrabajo.",
         items=("Velocidad 100 Mbps", "WiFi doble banda"), legacy="GT-INT100",
         promo=Promo("VEL2X", 25, "25% de descuento los primeros 6 meses")),
    Plan("10200", INTERNET, "Internet 200 Mbps", "349.00", True,
         "200 Mbps de bajada, 20 Mbps de subida, WiFi doble banda",
         "Internet para hogares con muchos dispositivos.",
         items=("Velocidad 200 Mbps", "WiFi doble banda"), legacy="GT-INT200"),
    Plan("10500", INTERNET, "Internet 500 Mbps Fibra", "449.00", True,
         "500 Mbps simétricos por fibra óptica, WiFi 6", "Internet de fibra óptica.",
         media=("FTTH",), items=("Velocidad 500 Mbps", "Router WiFi 6"), legacy="GT-FIB500"),
    Plan("11001", INTERNET, "Extensor WiFi", "35.00", False, "1 extensor WiFi",
         "Mejor cobertura WiFi en toda tu casa."),
    Plan("11003", INTERNET, "IP fija", "150.00", False, "1 dirección IP pública fija",
         "IP pública fija para cámaras y servidores."),
    Plan("20100", TV, "TV Básica", "175.00", True, "Más de 70 canales", "Televisión por cable.",
         details='"HD_Capable": "N"', items=("Paquete Básico",), legacy="GT-TVBAS"),
    Plan("20200", TV, "TV Digital HD", "225.00", True, "Más de 130 canales, 60 en HD",
         "Televisión digital con canales HD.", details=HD, items=("Paquete Básico", "Paquete HD"),
         legacy="GT-TVHD"),
    Plan("20300", TV, "TV Premium HD", "275.00", True, "Más de 170 canales, 80 en HD, Tigo Sports",
         "Televisión premium con deportes y cine.", details=HD,
         items=("Paquete Básico", "Paquete HD", "Tigo Sports"), legacy="GT-TVPRE"),
    Plan("20400", TV, "TV Satelital", "199.00", True, "Más de 100 canales vía satélite, 40 en HD",
         "Televisión satelital en cualquier lugar del país.", media=("DTH",), details=HD,
         items=("Paquete Satelital",), legacy="GT-DTH"),
    Plan("21001", TV, "HBO Max", "79.00", False, "HBO, HBO 2, HBO Family y la app HBO Max",
         "Los estrenos de HBO en tu TV y en la app.", media=("HFC", "FTTH", "DTH"), details=HD,
         promo=Promo("HBO50", 50, "50% de descuento los primeros 3 meses")),
    Plan("21002", TV, "Tigo Sports", "35.00", False, "Tigo Sports HD: Liga Nacional en vivo",
         "El fútbol de la Liga Nacional y la Selección.", media=("HFC", "FTTH", "DTH"), details=HD,
         promo=Promo("SPORTS1", 100, "Primer mes gratis")),
    Plan("21003", TV, "Paquete Fútbol", "60.00", False, "ESPN Premium, Fox Sports y más",
         "Las mejores ligas del mundo.", media=("HFC", "FTTH", "DTH"), details=HD),
    Plan("21004", TV, "Paramount+", "45.00", False, "Paramount+ en la app y el decodificador",
         "Series y películas de Paramount.", media=("HFC", "FTTH", "DTH"), details=HD),
    Plan("21005", TV, "Disney+", "69.00", False, "Disney+, Star, Marvel y Pixar",
         "Todo Disney en un solo lugar.", media=("HFC", "FTTH", "DTH"), details=HD,
         promo=Promo("DISNEY30", 30, "30% de descuento los primeros 2 meses")),
    Plan("21006", TV, "Deco adicional", "40.00", False, "1 decodificador HD adicional",
         "Televisión en otra habitación.", media=("HFC", "FTTH", "DTH"), details=HD,
         device="Decodificador"),
    Plan("30100", PHONE, "Línea Fija Básica", "75.00", True, "300 minutos a fijos nacionales",
         "Línea fija residencial.", items=("Buzón de voz",), legacy="GT-TELBAS"),
    Plan("30200", PHONE, "Línea Fija Ilimitada", "125.00", True,
         "Minutos ilimitados a fijos nacionales", "Línea fija con llamadas ilimitadas a fijos.",
         items=("Buzón de voz", "Llamada en espera"), legacy="GT-TELILI"),
    Plan("31001", PHONE, "Minutos ilimitados a celulares", "50.00", False,
         "Minutos ilimitados a celulares Tigo y Claro", "Llama sin límite a celulares."),
    Plan("31002", PHONE, "Larga distancia a EE. UU. ilimitada", "60.00", False,
         "Minutos ilimitados a Estados Unidos y Canadá", "Habla con tu familia en el norte."),
    Plan("31003", PHONE, "Identificador de llamadas", "10.00", False, "Identificador de llamadas",
         "Conoce quién te llama."),
    Plan("31004", PHONE, "Desvío y conferencia", "15.00", False,
         "Desvío de llamadas y conferencia de 3", "Recibe tus llamadas donde estés."),
)  # fmt: skip

DATA = CountryData(
    first_names_male=(
        "José", "Juan", "Carlos", "Luis", "Mario", "Jorge", "Edgar", "Byron", "Erick", "Marvin",
        "Otto", "Kevin", "Brayan", "Julio", "Rony", "Óscar", "Fernando", "Héctor", "Manuel",
        "Pablo", "Selvin", "Wilson", "Elmer", "Estuardo", "Rodrigo", "Juan José", "Luis Fernando",
        "Carlos Enrique", "José Alejandro", "Walter",
    ),
    first_names_female=(
        "María", "Ana", "Carmen", "Rosa", "Sandra", "Mayra", "Ingrid", "Karla", "Evelyn",
        "Lesbia", "Glenda", "Heidy", "Brenda", "Andrea", "Gabriela", "Lucía", "Sofía", "Marta",
        "Claudia", "Wendy", "Jennifer", "Dulce", "Astrid", "Silvia", "Blanca", "María José",
        "Ana Lucía", "Sindy",
    ),
    surnames=(
        "López", "García", "Pérez", "Hernández", "González", "Rodríguez", "Morales", "Ramírez",
        "Martínez", "Cruz", "Reyes", "Méndez", "Castillo", "Ortiz", "Juárez", "Mejía", "Chávez",
        "Gómez", "Estrada", "Barrios", "Orellana", "Monterroso", "Alvarado", "Xicará", "Ajú",
        "Cojtí", "Tzul", "Batz", "Cifuentes", "Paz", "Velásquez", "Sandoval", "Aguilar",
        "Fuentes", "Recinos", "Arévalo", "Marroquín", "Solares", "Escobar", "Girón", "Samayoa",
        "Castañeda", "Lemus", "De León", "Coy",
    ),
    company_kinds=(
        "Distribuidora", "Comercial", "Ferretería", "Agroindustrias", "Importadora",
        "Inversiones", "Farmacia", "Transportes", "Servicios Contables",
    ),
    company_names=(
        "El Quetzal", "La Ceiba", "San Cristóbal", "Los Volcanes", "El Pinar", "La Esperanza",
        "Maya", "Atitlán", "El Sol", "Centroamericana",
    ),
    company_suffix=", S.A.",
    company_tld="com.gt",
    departments=DEPARTMENTS,
    street=street,
    media_weights={"HFC": 60, "FTTH": 25, "DTH": 15},
    plans=PLANS,
    banks=(
        "Banco Industrial", "Banrural", "BAM", "G&T Continental", "Banco Promerica",
        "BAC Credomatic", "Interbanco", "Ficohsa",
    ),
    mobile_operators=("Tigo", "Tigo", "Tigo", "Claro", "Claro"),
    international=(
        ("1", "213", "Los Ángeles", "California"), ("1", "305", "Miami", "Florida"),
        ("1", "713", "Houston", "Texas"), ("1", "212", "Nueva York", "Nueva York"),
        ("52", "55", "Ciudad de México", "Ciudad de México"),
        ("503", "", "San Salvador", "San Salvador"),
        ("504", "", "Tegucigalpa", "Francisco Morazán"), ("34", "91", "Madrid", "Madrid"),
    ),
    international_prefix="00",
    contractors=(
        "Servicios Técnicos de Telecomunicaciones, S.A.",
        "Instalaciones y Redes de Guatemala, S.A.",
        "Conectividad Total, S.A.",
    ),
    photo_host="tecnicos.tigo.com.gt",
    document_weights={"dpi": 88, "nit": 8, "pas": 4},
    rare_document="pas",
    contract_digits=9,
)  # fmt: skip
