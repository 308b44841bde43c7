// The verify_email page (to be written).
