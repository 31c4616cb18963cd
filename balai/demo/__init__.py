"""The synthetic-city generator behind ``balai demo``: Kota Banjarbaru with people and a year of numbers."""
