"""The staffing planner (``mashangban plan``): learn a day from the hall's history, simulate it
with the product's own queue rules, and recommend the fewest windows that meet the wait target."""
