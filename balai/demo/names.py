"""Banjar and Indonesian personal names for synthetic people (no real person is meant).

Banjar custom: many men carry Muhammad/Ahmad/Akhmad, women Siti/Nur/Noor; Gusti and Antung mark
Banjar nobility; H./Hj. mark those who made the hajj. Academic titles follow the person's job.
"""

from __future__ import annotations

import random

MALE_FIRST = [
    "Muhammad",
    "Ahmad",
    "Akhmad",
    "Abdul",
    "Rahmadi",
    "Rizky",
    "Fauzi",
    "Syahrani",
    "Taufik",
    "Hendra",
    "Rudi",
    "Rahmat",
    "Saiful",
    "Hairul",
    "Mahyuni",
    "Arif",
    "Aditya",
    "Irfan",
    "Wahyudi",
    "Zainal",
    "Husaini",
    "Fitriadi",
    "Riduan",
    "Yusran",
    "Norhadi",
    "Masrani",
    "Ardiansyah",
    "Haris",
    "Gazali",
    "Khairil",
    "Syarifuddin",
    "Fahmi",
    "Hamdani",
    "Jailani",
    "Supiani",
    "Aliansyah",
    "Herman",
    "Agus",
    "Bambang",
    "Budi",
    "Joko",
    "Slamet",
    "Rusdi",
    "Fajar",
    "Dedy",
    "Iwan",
    "Yudi",
    "Aspihani",
    "Murjani",
    "Basuni",
    "Anwar",
    "Mukhlis",
    "Rakhmat",
    "Salman",
    "Fikri",
    "Ilham",
    "Reza",
    "Bayu",
    "Dimas",
    "Noor",
]
MALE_SECOND = [
    "Rizky",
    "Fauzi",
    "Hidayat",
    "Rahman",
    "Rahim",
    "Yani",
    "Ridha",
    "Syahputra",
    "Ramadhan",
    "Saputra",
    "Hakim",
    "Firdaus",
    "Maulana",
    "Fadillah",
    "Hamdi",
    "Wijaya",
    "Noor",
    "Arsyad",
    "Ansyari",
    "Basri",
    "Effendi",
    "Gunawan",
    "Hermawan",
    "Kurniawan",
    "Pratama",
    "Setiawan",
    "Syarif",
    "Rifani",
    "Mahmud",
    "Zakir",
    "Iskandar",
    "Nugraha",
    "Aditya",
    "Fahrudin",
    "Rasyidi",
    "Sanusi",
    "Rahmadi",
    "Hatta",
]
FEMALE_FIRST = [
    "Siti",
    "Nur",
    "Noor",
    "Norhayati",
    "Aisyah",
    "Fitriani",
    "Rahmawati",
    "Maulida",
    "Mariani",
    "Salmah",
    "Rusmini",
    "Hamidah",
    "Fatimah",
    "Nurul",
    "Dewi",
    "Rina",
    "Yuliana",
    "Rosita",
    "Lailatul",
    "Zainab",
    "Jamilah",
    "Raudah",
    "Husna",
    "Mahmudah",
    "Norlaila",
    "Rabiatul",
    "Khairunnisa",
    "Annisa",
    "Sri",
    "Wulan",
    "Putri",
    "Aulia",
    "Riana",
    "Syarifah",
    "Hayati",
    "Erni",
    "Nadia",
    "Mila",
    "Ratna",
    "Yusnita",
    "Normala",
    "Masitah",
    "Hafizah",
    "Rizka",
    "Fauziah",
    "Lidya",
    "Ayu",
    "Nurhasanah",
    "Mardiana",
]
FEMALE_SECOND = [
    "Aisyah",
    "Hidayah",
    "Rahmah",
    "Fitriani",
    "Handayani",
    "Lestari",
    "Wahyuni",
    "Safitri",
    "Rahmawati",
    "Maulidia",
    "Hasanah",
    "Fadhilah",
    "Noviyanti",
    "Puspitasari",
    "Sari",
    "Kartika",
    "Amalia",
    "Zahra",
    "Nurjannah",
    "Rahmi",
    "Mulyani",
    "Anggraini",
    "Yuliani",
    "Permata",
    "Azizah",
    "Khairiyah",
    "Normaliza",
    "Ramadhani",
    "Oktaviani",
    "Marlina",
]
# First names that are never used alone.
_NEEDS_SECOND = {"Muhammad", "Ahmad", "Akhmad", "Abdul", "Siti", "Nur", "Noor", "Nurul", "Sri", "Putri"}


def person_name(rng: random.Random, sex: str, age: int) -> str:
    """A plain name (no academic title): 'Muhammad Rizky', 'Hj. Siti Aisyah', 'Gusti Rahmadi'."""
    male = sex == "L"
    first = rng.choice(MALE_FIRST if male else FEMALE_FIRST)
    parts = [first]
    if first in _NEEDS_SECOND or rng.random() < 0.55:
        second = rng.choice(MALE_SECOND if male else FEMALE_SECOND)
        if second != first:
            parts.append(second)
    roll = rng.random()
    if roll < 0.04:
        parts.insert(0, "Gusti")
    elif not male and roll < 0.06:
        parts.insert(0, "Antung")
    if age >= 40 and rng.random() < 0.18:
        parts.insert(0, "H." if male else "Hj.")
    return " ".join(parts)


def with_title(name: str, title: str) -> str:
    """Put an academic title where Indonesians write it: 'dr. |, M.Kes.' around the name, ', S.Kom.' after."""
    prefix, suffix = title.split("|", 1) if "|" in title else ("", title)
    return f"{prefix}{name}{suffix}"
