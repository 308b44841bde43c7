// The login page (to be written).
