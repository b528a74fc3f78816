"""The bottom layer: settings and errors that every other layer may import; it imports none of them."""
