"""Colombia (Tigo UNE): names, DANE departments/municipalities, catalogue in COP."""

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


def _nb(*pairs: tuple[str, int]) -> tuple[Neighborhood, ...]:
    return tuple(Neighborhood(name, stratum=stratum) for name, stratum in pairs)


DEPARTMENTS = (
    Department("11", "Bogotá D.C.", 20, (
        City(11001, "Bogotá D.C.", "601", _nb(
            ("Cedritos", 4), ("Chicó Norte", 6), ("Santa Bárbara", 5), ("Chapinero Alto", 5),
            ("Teusaquillo", 4), ("Galerías", 4), ("Modelia", 4), ("Kennedy Central", 3),
            ("Suba Rincón", 2), ("Bosa Centro", 2), ("Castilla", 3), ("Ciudad Salitre", 4),
            ("Normandía", 4), ("Patio Bonito", 2), ("Restrepo", 3), ("El Tintal", 3),
        )),
    )),
    Department("05", "Antioquia", 20, (
        City(5001, "Medellín", "604", _nb(
            ("El Poblado", 6), ("Laureles", 5), ("Belén", 4), ("Robledo", 3), ("Manrique", 2),
            ("Buenos Aires", 3), ("La América", 4), ("Castilla", 3), ("Aranjuez", 2),
            ("Santa Cruz", 1), ("Estadio", 5), ("Calasanz", 4),
        )),
        City(5266, "Envigado", "604", _nb(("Zúñiga", 5), ("La Magnolia", 4), ("El Dorado", 3))),
        City(5360, "Itagüí", "604", _nb(("Santa María", 3), ("Ditaires", 4), ("San Pío", 3))),
        City(5088, "Bello", "604", _nb(("Niquía", 3), ("Cabañas", 3), ("París", 2))),
        City(5615, "Rionegro", "604", _nb(("San Antonio de Pereira", 4), ("El Porvenir", 3))),
        City(5631, "Sabaneta", "604", _nb(("Aves María", 4), ("La Doctora", 4))),
    )),
    Department("76", "Valle del Cauca", 12, (
        City(76001, "Cali", "602", _nb(
            ("Ciudad Jardín", 6), ("San Fernando", 5), ("El Ingenio", 5), ("Granada", 5),
            ("Tequendama", 4), ("Villa del Sur", 3), ("Alfonso López", 2), ("Siloé", 1),
            ("La Flora", 5), ("Pance", 6),
        )),
        City(76520, "Palmira", "602", _nb(("Zamorano", 3), ("Las Mercedes", 3))),
    )),
    Department("08", "Atlántico", 8, (
        City(8001, "Barranquilla", "605", _nb(
            ("El Prado", 5), ("Riomar", 6), ("Alto Prado", 6), ("Boston", 4),
            ("Las Delicias", 4), ("La Victoria", 2), ("Rebolo", 1), ("Ciudad Jardín", 5),
        )),
        City(8758, "Soledad", "605", _nb(("Villa Estadio", 3), ("Soledad 2000", 2))),
    )),
    Department("13", "Bolívar", 6, (
        City(13001, "Cartagena", "605", _nb(
            ("Bocagrande", 6), ("Manga", 4), ("Crespo", 4), ("El Bosque", 3),
            ("Pie de la Popa", 3), ("Olaya Herrera", 1), ("Los Alpes", 3),
        )),
    )),
    Department("68", "Santander", 6, (
        City(68001, "Bucaramanga", "607", _nb(
            ("Cabecera del Llano", 6), ("Sotomayor", 5), ("San Alonso", 4),
            ("La Concordia", 3), ("Provenza", 3), ("Ciudadela Real de Minas", 3),
        )),
        City(68276, "Floridablanca", "607", _nb(("Cañaveral", 5), ("Bucarica", 3))),
    )),
    Department("66", "Risaralda", 4, (
        City(66001, "Pereira", "606", _nb(("Álamos", 6), ("Pinares", 5), ("Cuba", 2),
                                          ("El Jardín", 3))),
        City(66170, "Dosquebradas", "606", _nb(("La Pradera", 3), ("Santa Mónica", 3))),
    )),
    Department("17", "Caldas", 3, (
        City(17001, "Manizales", "606", _nb(("Chipre", 4), ("Palermo", 5), ("La Enea", 3),
                                            ("Milán", 5))),
    )),
    Department("73", "Tolima", 3, (
        City(73001, "Ibagué", "608", _nb(("Piedrapintada", 4), ("Jordán", 4), ("Belén", 3),
                                         ("Picaleña", 3))),
    )),
    Department("54", "Norte de Santander", 3, (
        City(54001, "Cúcuta", "607", _nb(("Caobos", 5), ("Quinta Oriental", 4), ("Atalaya", 2),
                                         ("Prados del Este", 4))),
    )),
    Department("47", "Magdalena", 2, (
        City(47001, "Santa Marta", "605", _nb(("El Rodadero", 5), ("Gaira", 2),
                                              ("Los Almendros", 3))),
    )),
    Department("50", "Meta", 3, (
        City(50001, "Villavicencio", "608", _nb(("Barzal", 4), ("La Esperanza", 3),
                                                ("Caudal", 3))),
    )),
    Department("25", "Cundinamarca", 5, (
        City(25754, "Soacha", "601", _nb(("Ciudad Verde", 2), ("San Mateo", 3), ("León XIII", 2))),
        City(25175, "Chía", "601", _nb(("Samaria", 4), ("Centro", 3))),
        City(25899, "Zipaquirá", "601", _nb(("Algarra", 3), ("San Pablo", 3))),
    )),
    Department("63", "Quindío", 2, (
        City(63001, "Armenia", "606", _nb(("La Castellana", 5), ("El Bosque", 3))),
    )),
    Department("41", "Huila", 2, (
        City(41001, "Neiva", "608", _nb(("Altico", 3), ("Quirinal", 4))),
    )),
    Department("23", "Córdoba", 2, (
        City(23001, "Montería", "604", _nb(("La Castellana", 5), ("Mocarí", 3),
                                           ("Cantaclaro", 2))),
    )),
    Department("20", "Cesar", 2, (
        City(20001, "Valledupar", "605", _nb(("Novalito", 3), ("Los Mayales", 4))),
    )),
)  # fmt: skip


def street(rng: random.Random, neighborhood: Neighborhood) -> tuple[str, str]:
    """Line 1 like "Calle 45 # 23-15 Apto 302"; line 2 is the neighborhood."""
    kind = rng.choice(
        ("Calle", "Calle", "Carrera", "Carrera", "Avenida", "Diagonal", "Transversal")
    )
    letter = rng.choice(("", "", "", "A", "B", "C"))
    line = f"{kind} {rng.randint(1, 150)}{letter} # {rng.randint(1, 120)}-{rng.randint(1, 99):02d}"
    unit = rng.choice(("apto", "apto", "torre", "casa", ""))
    floor, door = rng.randint(1, 20), rng.randint(1, 4)
    suffix = {
        "apto": f" Apto {floor}{door:02d}",
        "torre": f" Torre {door} Apto {floor}{door:02d}",
        "casa": f" Casa {rng.randint(1, 60)}",
        "": "",
    }[unit]
    return line + suffix, neighborhood.name


HD = '"HD_Capable": "S"'
PLANS = (
    # Internet
    Plan("10150", INTERNET, "Internet 150 Megas", "69900", True,
         "150 Mbps de bajada, 15 Mbps de subida, WiFi doble banda",
         "Internet fijo de 150 Mbps ideal para navegar y ver video en 2 pantallas.",
         items=("Velocidad 150 Mbps", "WiFi doble banda"), legacy="INT150M"),
    Plan("10300", INTERNET, "Internet 300 Megas", "89900", True,
         "300 Mbps de bajada, 30 Mbps de subida, WiFi doble banda",
         "Internet fijo de 300 Mbps para teletrabajo y streaming en 4 pantallas.",
         items=("Velocidad 300 Mbps", "WiFi doble banda"), legacy="INT300M",
         promo=Promo("VEL2X", 20, "20% de descuento los primeros 6 meses")),
    Plan("10500", INTERNET, "Internet 500 Megas", "109900", True,
         "500 Mbps de bajada, 50 Mbps de subida, WiFi 6",
         "Internet fijo de 500 Mbps con router WiFi 6 para hogares conectados.",
         items=("Velocidad 500 Mbps", "Router WiFi 6"), legacy="INT500M"),
    Plan("10900", INTERNET, "Internet 900 Megas", "139900", True,
         "900 Mbps simétricos por fibra óptica, WiFi 6",
         "Internet de fibra óptica de 900 Mbps para gamers y creadores.",
         media=("FTTH",), items=("Velocidad 900 Mbps", "Router WiFi 6"), legacy="INT900F"),
    Plan("11001", INTERNET, "Extensor WiFi", "9900", False, "1 extensor WiFi en comodato",
         "Lleva la señal WiFi a todos los espacios de tu hogar."),
    Plan("11002", INTERNET, "Antivirus Norton 3 equipos", "7900", False,
         "Protección para 3 dispositivos", "Antivirus y control parental para tu familia."),
    Plan("11003", INTERNET, "IP fija", "25000", False, "1 dirección IP pública fija",
         "Dirección IP pública fija para cámaras, servidores y VPN."),
    # Televisión
    Plan("20100", TV, "TV Digital Básica", "45900", True, "Más de 80 canales, 20 en HD",
         "Televisión digital con los canales nacionales e internacionales más vistos.",
         details='"HD_Capable": "N"', items=("Paquete Básico",), legacy="TVBAS"),
    Plan("20200", TV, "TV Digital HD", "64900", True, "Más de 150 canales, 70 en HD",
         "Televisión digital HD con canales de deportes, series y películas.",
         details=HD, items=("Paquete Básico", "Paquete HD"), legacy="TVHD"),
    Plan("20300", TV, "TV Avanzada HD", "84900", True,
         "Más de 180 canales, 90 en HD, grabación en la nube",
         "Televisión avanzada con grabación, pausa en vivo y Tigo Play.",
         details=HD + ', "PVR": "S"', items=("Paquete Básico", "Paquete HD", "Tigo Play"),
         legacy="TVAVZ"),
    Plan("21001", TV, "HBO Max", "29900", False, "HBO, HBO 2, HBO Family y la app HBO Max",
         "Los estrenos de HBO y Warner en tu TV y en la app.", details=HD,
         promo=Promo("HBO50", 50, "50% de descuento los primeros 3 meses")),
    Plan("21002", TV, "Win Sports+", "44900", False,
         "Win Sports+ HD, todos los partidos de la Liga",
         "El fútbol profesional colombiano en vivo.", details=HD,
         promo=Promo("WIN20", 20, "20% de descuento durante la temporada")),
    Plan("21003", TV, "Paramount+", "16900", False, "Paramount+ en la app y el decodificador",
         "Series y películas de Paramount, CBS y Nickelodeon.", details=HD),
    Plan("21004", TV, "Disney+", "27900", False, "Disney+, Star, Marvel, Pixar y ESPN",
         "Disney+ con ESPN incluido.", details=HD,
         promo=Promo("DISNEY30", 30, "30% de descuento los primeros 2 meses")),
    Plan("21005", TV, "Deco adicional", "12900", False, "1 decodificador HD adicional",
         "Un decodificador más para ver TV en otra habitación.", details=HD,
         device="Decodificador"),
    Plan("21006", TV, "Paquete Cine", "19900", False, "Cinemax, Studio Universal, TNT Novelas",
         "Los mejores canales de cine.", details=HD),
    # Telefonía
    Plan("30100", PHONE, "Telefonía Local Ilimitada", "25900", True,
         "Minutos locales ilimitados", "Línea fija con llamadas locales ilimitadas.",
         media=("HFC", "FTTH", "Cobre"), items=("Buzón de voz",), legacy="TELLOC"),
    Plan("30200", PHONE, "Telefonía Nacional Ilimitada", "32900", True,
         "Minutos locales y nacionales ilimitados",
         "Línea fija con llamadas ilimitadas a fijos de todo el país.",
         media=("HFC", "FTTH", "Cobre"), items=("Buzón de voz", "Llamada en espera"),
         legacy="TELNAL"),
    Plan("31001", PHONE, "Minutos ilimitados a celulares", "15900", False,
         "Minutos ilimitados a celulares de todos los operadores",
         "Llama sin límite desde tu fijo a cualquier celular del país.",
         media=("HFC", "FTTH", "Cobre")),
    Plan("31002", PHONE, "Larga distancia internacional 100 minutos", "12900", False,
         "100 minutos a Estados Unidos, Canadá y España", "Habla con tu familia en el exterior.",
         media=("HFC", "FTTH", "Cobre")),
    Plan("31003", PHONE, "Identificador de llamadas", "3900", False,
         "Identificador de llamadas", "Conoce quién te llama antes de contestar.",
         media=("HFC", "FTTH", "Cobre")),
    Plan("31004", PHONE, "Desvío y conferencia", "4900", False,
         "Desvío de llamadas y conferencia de 3", "Recibe tus llamadas donde estés.",
         media=("HFC", "FTTH", "Cobre")),
)  # fmt: skip

DATA = CountryData(
    first_names_male=(
        "Juan", "Carlos", "Andrés", "Luis", "Jorge", "José", "Diego", "Santiago", "Alejandro",
        "Felipe", "Camilo", "Sebastián", "Daniel", "David", "Julián", "Mauricio", "Óscar",
        "Fernando", "Jaime", "Hernán", "Alberto", "Ricardo", "Javier", "Miguel", "Esteban",
        "Mateo", "Nicolás", "Sergio", "Gustavo", "Álvaro", "Juan Carlos", "Juan David",
        "Juan Pablo", "Luis Fernando", "John Jairo", "Héctor",
    ),
    first_names_female=(
        "María", "Ana", "Luz", "Carolina", "Paola", "Diana", "Claudia", "Sandra", "Natalia",
        "Laura", "Valentina", "Daniela", "Juliana", "Catalina", "Andrea", "Marcela", "Adriana",
        "Liliana", "Gloria", "Martha", "Paula", "Lina", "Ángela", "Yolanda", "Sofía", "Manuela",
        "Alejandra", "María Fernanda", "Luz Marina", "Ana María", "María José", "Luz Dary",
    ),
    surnames=(
        "Rodríguez", "Gómez", "González", "Martínez", "García", "López", "Hernández", "Sánchez",
        "Ramírez", "Pérez", "Díaz", "Muñoz", "Rojas", "Moreno", "Jiménez", "Álvarez", "Romero",
        "Valencia", "Torres", "Ruiz", "Castro", "Vargas", "Suárez", "Ortiz", "Gutiérrez",
        "Restrepo", "Ospina", "Giraldo", "Zapata", "Cardona", "Osorio", "Quintero", "Arango",
        "Betancur", "Mejía", "Castaño", "Henao", "Agudelo", "Londoño", "Villegas", "Salazar",
        "Montoya", "Correa", "Mosquera", "Palacios", "Ocampo", "Peña", "Duque",
    ),
    company_kinds=(
        "Ferretería", "Distribuidora", "Panadería", "Droguería", "Restaurante", "Inversiones",
        "Comercializadora", "Papelería", "Consultores", "Clínica Veterinaria", "Almacén",
    ),
    company_names=(
        "El Progreso", "La Esperanza", "San José", "Los Andes", "El Roble", "La Montaña",
        "Santa Fe", "Del Valle", "La Candelaria", "El Dorado", "La Antioqueña", "El Cafetal",
    ),
    company_suffix=" S.A.S.",
    company_tld="com.co",
    departments=DEPARTMENTS,
    street=street,
    media_weights={"HFC": 62, "FTTH": 33, "Cobre": 5},
    plans=PLANS,
    banks=(
        "Bancolombia", "Banco de Bogotá", "Davivienda", "BBVA Colombia", "Banco de Occidente",
        "Banco Popular", "Banco AV Villas", "Scotiabank Colpatria", "Banco Caja Social", "Itaú",
    ),
    mobile_operators=("Claro", "Claro", "Movistar", "Tigo", "Tigo", "WOM"),
    international=(
        ("1", "305", "Miami", "Florida"), ("1", "212", "Nueva York", "Nueva York"),
        ("34", "91", "Madrid", "Madrid"), ("34", "93", "Barcelona", "Cataluña"),
        ("52", "55", "Ciudad de México", "Ciudad de México"),
        ("507", "", "Ciudad de Panamá", "Panamá"), ("593", "2", "Quito", "Pichincha"),
        ("56", "2", "Santiago", "Región Metropolitana"),
    ),
    international_prefix="005",
    contractors=(
        "Redes y Conexiones del Valle S.A.S.", "Instalaciones Técnicas Andinas S.A.S.",
        "Telecomunicaciones Integrales de Colombia S.A.S.", "Servicios de Campo Antioquia S.A.S.",
    ),
    photo_host="tecnicos.tigo.com.co",
    document_weights={"cc": 82, "nit": 8, "ce": 6, "pas": 4},
    rare_document="ce",
    contract_digits=8,
    debit_recurring=True,
    card_brands=("VISA", "VISA", "MASTERCARD", "MASTERCARD", "AMEX", "DINERS"),
    billing_systems=(1, 2),
)  # fmt: skip
