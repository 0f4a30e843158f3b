"""El Salvador (Tigo): names, departments/municipalities, colonias, catalogue in USD."""

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


def _nb(*names: str) -> tuple[Neighborhood, ...]:
    return tuple(Neighborhood(name) for name in names)


DEPARTMENTS = (
    Department("06", "San Salvador", 40, (
        City(614, "San Salvador", "22", _nb(
            "Colonia Escalón", "Colonia San Benito", "Colonia Flor Blanca", "Colonia Miramonte",
            "Colonia Médica", "Colonia Centroamérica", "Barrio San Jacinto", "Colonia Layco",
        )),
        City(617, "Soyapango", "22", _nb("Colonia Los Santos",
                                         "Urbanización Montes de San Bartolo")),
        City(608, "Mejicanos", "22", _nb("Colonia Zacamil", "Colonia Jardines de Mejicanos")),
        City(607, "Ilopango", "22", _nb("Urbanización Bosques de la Paz", "Colonia Santa Lucía")),
        City(602, "Apopa", "22", _nb("Colonia Valle Verde", "Urbanización Valle del Sol")),
    )),
    Department("05", "La Libertad", 25, (
        City(511, "Santa Tecla", "22", _nb("Residencial Santa Teresa", "Colonia Quezaltepec",
                                           "Jardines de la Libertad", "Colonia Utila")),
        City(501, "Antiguo Cuscatlán", "22", _nb("Colonia La Sultana", "Urbanización Madreselva",
                                                 "Jardines de Merliot")),
        City(503, "Colón", "23", _nb("Residencial Nuevo Lourdes", "Lotificación Lourdes")),
    )),
    Department("02", "Santa Ana", 10, (
        City(210, "Santa Ana", "24", _nb("Colonia El Palmar", "Colonia Santa Lucía",
                                         "Barrio Santa Cruz", "Colonia IVU")),
    )),
    Department("12", "San Miguel", 8, (
        City(1217, "San Miguel", "26", _nb("Colonia Ciudad Jardín", "Colonia Milagro de la Paz",
                                           "Barrio San Felipe")),
    )),
    Department("03", "Sonsonate", 6, (
        City(315, "Sonsonate", "24", _nb("Colonia Sensunapán", "Barrio El Ángel")),
        City(301, "Acajutla", "24", _nb("Colonia Miramar", "Barrio El Centro")),
    )),
    Department("01", "Ahuachapán", 3, (
        City(101, "Ahuachapán", "24", _nb("Barrio El Calvario", "Colonia San José")),
    )),
    Department("11", "Usulután", 3, (
        City(1123, "Usulután", "26", _nb("Colonia La Esperanza", "Barrio La Merced")),
    )),
    Department("07", "Cuscatlán", 2, (
        City(702, "Cojutepeque", "23", _nb("Barrio El Centro", "Colonia San José")),
    )),
)  # fmt: skip

_STREETS = (
    "Calle El Mirador", "Avenida Masferrer", "Calle La Mascota", "Paseo General Escalón",
    "Calle Loma Linda", "Pasaje Los Pinos", "Avenida Las Palmas", "Calle Los Castaños",
    "Calle Arce", "Calle Chiltiupán", "Avenida Los Sisimiles", "Calle Las Rosas",
)  # fmt: skip


def street(rng: random.Random, neighborhood: Neighborhood) -> tuple[str, str]:
    """Line 1 like "Colonia Escalón, Calle El Mirador #123"; line 2 is house or apartment."""
    line = f"{neighborhood.name}, {rng.choice(_STREETS)} #{rng.randint(1, 350)}"
    detail = rng.choice((
        f"Casa {rng.randint(1, 90)}",
        f"Pasaje {rng.randint(1, 12)}, Casa {rng.randint(1, 40)}",
        f"Polígono {rng.choice('ABCDE')}, Casa {rng.randint(1, 30)}",
        f"Edificio {rng.choice(('Torre Azul', 'Los Robles', 'Vista Verde'))}, "
        f"Apto {rng.randint(1, 9)}-{rng.choice('ABC')}",
    ))  # fmt: skip
    return line, detail


HD = '"HD_Capable": "S"'
PLANS = (
    Plan("10050", INTERNET, "Internet 50 Mbps", "25.00", True,
         "50 Mbps de bajada, 5 Mbps de subida, WiFi",
         "Internet residencial para navegar y estudiar.",
         items=("Velocidad 50 Mbps", "WiFi"), legacy="SV-INT50"),
    Plan("10100", INTERNET, "Internet 100 Mbps", "30.00", True,
         "100 Mbps de bajada, 10 Mbps de subida, WiFi doble banda",
         "Internet residencial para streaming y teletrabajo.",
         items=("Velocidad 100 Mbps", "WiFi doble banda"), legacy="SV-INT100",
         promo=Promo("VEL2X", 20, "20% de descuento los primeros 6 meses")),
    Plan("10200", INTERNET, "Internet 200 Mbps", "38.00", True,
         "200 Mbps de bajada, 20 Mbps de subida, WiFi doble banda",
         "Internet para hogares con muchos dispositivos.",
         items=("Velocidad 200 Mbps", "WiFi doble banda"), legacy="SV-INT200"),
    Plan("10500", INTERNET, "Internet 500 Mbps Fibra", "50.00", True,
         "500 Mbps simétricos por fibra óptica, WiFi 6", "Internet de fibra óptica.",
         media=("FTTH",), items=("Velocidad 500 Mbps", "Router WiFi 6"), legacy="SV-FIB500"),
    Plan("11001", INTERNET, "Extensor WiFi", "4.00", False, "1 extensor WiFi",
         "Mejor cobertura WiFi en toda tu casa."),
    Plan("11003", INTERNET, "IP fija", "15.00", False, "1 dirección IP pública fija",
         "IP pública fija para cámaras y servidores."),
    Plan("20100", TV, "TV Básica", "18.00", True, "Más de 70 canales", "Televisión por cable.",
         details='"HD_Capable": "N"', items=("Paquete Básico",), legacy="SV-TVBAS"),
    Plan("20200", TV, "TV Digital HD", "27.00", True, "Más de 130 canales, 60 en HD",
         "Televisión digital con canales HD.", details=HD, items=("Paquete Básico", "Paquete HD"),
         legacy="SV-TVHD"),
    Plan("20300", TV, "TV Premium HD", "35.00", True, "Más de 170 canales, 80 en HD, Tigo Sports",
         "Televisión premium con deportes y cine.", details=HD,
         items=("Paquete Básico", "Paquete HD", "Tigo Sports"), legacy="SV-TVPRE"),
    Plan("20400", TV, "TV Satelital", "22.00", True, "Más de 100 canales vía satélite, 40 en HD",
         "Televisión satelital en todo el país.", media=("DTH",), details=HD,
         items=("Paquete Satelital",), legacy="SV-DTH"),
    Plan("21001", TV, "HBO Max", "9.99", False, "HBO, HBO 2, HBO Family y la app HBO Max",
         "Los estrenos de HBO en tu TV y en la app.", media=("HFC", "FTTH", "DTH"), details=HD,
         promo=Promo("HBO50", 50, "50% de descuento los primeros 3 meses")),
    Plan("21002", TV, "Tigo Sports", "5.99", False, "Tigo Sports HD: Primera División en vivo",
         "El fútbol salvadoreño en vivo.", media=("HFC", "FTTH", "DTH"), details=HD,
         promo=Promo("SPORTS1", 100, "Primer mes gratis")),
    Plan("21003", TV, "Paquete Fútbol", "7.99", False, "ESPN Premium, Fox Sports y más",
         "Las mejores ligas del mundo.", media=("HFC", "FTTH", "DTH"), details=HD),
    Plan("21004", TV, "Paramount+", "4.99", False, "Paramount+ en la app y el decodificador",
         "Series y películas de Paramount.", media=("HFC", "FTTH", "DTH"), details=HD),
    Plan("21005", TV, "Disney+", "7.99", False, "Disney+, Star, Marvel y Pixar",
         "Todo Disney en un solo lugar.", media=("HFC", "FTTH", "DTH"), details=HD,
         promo=Promo("DISNEY30", 30, "30% de descuento los primeros 2 meses")),
    Plan("21006", TV, "Deco adicional", "4.50", False, "1 decodificador HD adicional",
         "Televisión en otra habitación.", media=("HFC", "FTTH", "DTH"), details=HD,
         device="Decodificador"),
    Plan("30100", PHONE, "Línea Fija Básica", "9.95", True, "300 minutos a fijos nacionales",
         "Línea fija residencial.", items=("Buzón de voz",), legacy="SV-TELBAS"),
    Plan("30200", PHONE, "Línea Fija Ilimitada", "14.95", True,
         "Minutos ilimitados a fijos nacionales", "Línea fija con llamadas ilimitadas a fijos.",
         items=("Buzón de voz", "Llamada en espera"), legacy="SV-TELILI"),
    Plan("31001", PHONE, "Minutos ilimitados a celulares", "7.99", False,
         "Minutos ilimitados a celulares de todos los operadores", "Llama sin límite a celulares."),
    Plan("31002", PHONE, "Larga distancia a EE. UU. ilimitada", "5.99", False,
         "Minutos ilimitados a Estados Unidos y Canadá", "Habla con tu familia en el norte."),
    Plan("31003", PHONE, "Identificador de llamadas", "1.50", False, "Identificador de llamadas",
         "Conoce quién te llama."),
    Plan("31004", PHONE, "Desvío y conferencia", "1.99", False,
         "Desvío de llamadas y conferencia de 3", "Recibe tus llamadas donde estés."),
)  # fmt: skip

DATA = CountryData(
    first_names_male=(
        "José", "Juan", "Carlos", "Luis", "Mario", "Jorge", "Francisco", "Óscar", "René",
        "Roberto", "Manuel", "Ricardo", "William", "Edwin", "Nelson", "Walter", "Douglas",
        "Mauricio", "Rafael", "Salvador", "Rodrigo", "Kevin", "Alexander", "Ernesto", "Josué",
        "José Antonio", "Juan Carlos", "Carlos Alberto", "Óscar Armando",
    ),
    first_names_female=(
        "María", "Ana", "Rosa", "Carmen", "Marta", "Sonia", "Gloria", "Reina", "Xiomara",
        "Katherine", "Yesenia", "Karla", "Fátima", "Sandra", "Patricia", "Claudia", "Daniela",
        "Gabriela", "Alejandra", "Jennifer", "Roxana", "Glenda", "Ivania", "Lilian", "Wendy",
        "María Elena", "Ana Gabriela", "Rosa Elvira",
    ),
    surnames=(
        "Hernández", "López", "Martínez", "García", "Rodríguez", "González", "Ramírez", "Pérez",
        "Flores", "Rivera", "Romero", "Cruz", "Portillo", "Guevara", "Mejía", "Reyes",
        "Alvarado", "Aguilar", "Ayala", "Sánchez", "Morales", "Díaz", "Castillo", "Chávez",
        "Orellana", "Menjívar", "Argueta", "Escobar", "Henríquez", "Navarro", "Quintanilla",
        "Rivas", "Bonilla", "Zelaya", "Amaya", "Velásquez", "Fuentes", "Molina", "Serrano",
        "Campos", "Mendoza", "Ventura", "Ramos", "Vásquez", "Cortez",
    ),
    company_kinds=(
        "Distribuidora", "Comercializadora", "Ferretería", "Inversiones", "Panadería",
        "Importaciones", "Servicios Profesionales", "Farmacia", "Agroservicio",
    ),
    company_names=(
        "El Salvador del Mundo", "Cuscatlán", "Los Izalcos", "El Pital", "La Palma",
        "San Miguelito", "Lempa", "Bahía", "El Boquerón", "Central",
    ),
    company_suffix=", S.A. de C.V.",
    company_tld="com.sv",
    departments=DEPARTMENTS,
    street=street,
    media_weights={"HFC": 60, "FTTH": 25, "DTH": 15},
    plans=PLANS,
    banks=(
        "Banco Agrícola", "Banco Cuscatlán", "Banco Davivienda Salvadoreño", "BAC Credomatic",
        "Banco Promerica", "Banco Hipotecario", "Banco Atlántida", "Banco Azul",
    ),
    mobile_operators=("Tigo", "Tigo", "Claro", "Claro", "Movistar", "Digicel"),
    international=(
        ("1", "213", "Los Ángeles", "California"), ("1", "713", "Houston", "Texas"),
        ("1", "202", "Washington", "Distrito de Columbia"),
        ("1", "212", "Nueva York", "Nueva York"),
        ("1", "301", "Silver Spring", "Maryland"),
        ("502", "", "Ciudad de Guatemala", "Guatemala"),
        ("504", "", "Tegucigalpa", "Francisco Morazán"),
        ("52", "55", "Ciudad de México", "Ciudad de México"),
    ),
    international_prefix="00",
    contractors=(
        "Servicios Técnicos Integrales, S.A. de C.V.",
        "Redes y Conectividad de El Salvador, S.A. de C.V.",
        "Instalaciones Cuscatlán, S.A. de C.V.",
    ),
    photo_host="tecnicos.tigo.com.sv",
    document_weights={"dui": 88, "nit": 8, "pas": 4},
    rare_document="pas",
    contract_digits=9,
)  # fmt: skip
