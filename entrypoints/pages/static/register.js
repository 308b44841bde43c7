// The register page (to be written).
