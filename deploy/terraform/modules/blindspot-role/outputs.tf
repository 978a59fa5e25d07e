output "role_arn" {
  description = "ARN of the role."
  value       = aws_iam_role.blindspot.arn
}

output "role_name" {
  description = "Name of the role (for `blindspot collect --org --role-name`)."
  value       = aws_iam_role.blindspot.name
}
