"""Phone numbers as people write them, per country, and what the country table makes of
them (E.164): shared by the tests of the rule (selfcare.countries) and of the routes that
keep phones (customer contacts)."""

from __future__ import annotations

from selfcare.countries import get_country

CO, GT, SV = get_country("co"), get_country("gt"), get_country("sv")

WRITTEN = [  # (country, as written, E.164)
    (CO, "3001234567", "+573001234567"),
    (CO, "300 123 4567", "+573001234567"),
    (CO, "+57 300-123-4567", "+573001234567"),
    (CO, "(601) 234 5678", "+576012345678"),
    (CO, "+57 (604) 444.4444", "+576044444444"),
    (GT, "2345 6789", "+50223456789"),
    (GT, "5512 3456", "+50255123456"),
    (GT, "+50255123456", "+50255123456"),
    (GT, "+502 5512-3456", "+50255123456"),
    (SV, "7012-3456", "+50370123456"),
    (SV, " +503 2212 3456 ", "+50322123456"),
]
