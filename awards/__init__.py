"""Emulation titles, state commendations, party commendations and Huy hiệu Đảng (RULES.md C, P).

A domain package like evaluation/. This first step holds the pure rules (awards.rules); the
models, operations, pages and the council's ballot come next. Importing the package loads no
Flask and no database library."""
