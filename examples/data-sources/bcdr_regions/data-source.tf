data "bcdr_regions" "candidates" {
  names = ["eastus", "westus", "northeurope", "westeurope"]
}

output "pairs" {
  value = data.bcdr_regions.candidates.recommended_pairs
}
