"""Field types of the invoice schemas that app/api/types.py does not have."""

from app.api.types import decimal_text, positive_decimal_pattern

# Seller's currency per unit of the invoice's currency (NOK per SEK, say); never zero.
ExchangeRate = decimal_text(
    positive_decimal_pattern(6, 6), "an exchange rate above zero, up to six decimals", "0.987654"
)
