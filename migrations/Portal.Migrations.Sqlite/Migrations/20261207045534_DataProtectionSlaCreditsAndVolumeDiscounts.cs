using System;
using Microsoft.EntityFrameworkCore.Migrations;

#nullable disable

namespace Portal.Migrations.Sqlite.Migrations
{
    /// <inheritdoc />
    public partial class DataProtectionSlaCreditsAndVolumeDiscounts : Migration
    {
        /// <inheritdoc />
        protected override void Up(MigrationBuilder migrationBuilder)
        {
            migrationBuilder.AddColumn<string>(
                name: "channel_region",
                table: "usage_records",
                type: "TEXT",
                maxLength: 32,
                nullable: true);

            migrationBuilder.AddColumn<string>(
                name: "pii_findings",
                table: "usage_records",
                type: "TEXT",
                maxLength: 200,
                nullable: true);

            migrationBuilder.AddColumn<string>(
                name: "provider_country",
                table: "channels",
                type: "TEXT",
                maxLength: 2,
                nullable: true);

            migrationBuilder.AddColumn<string>(
                name: "region",
                table: "channels",
                type: "TEXT",
                maxLength: 32,
                nullable: false,
                defaultValue: "Domestic");

            migrationBuilder.CreateTable(
                name: "data_policies",
                columns: table => new
                {
                    id = table.Column<Guid>(type: "TEXT", nullable: false),
                    tenant_id = table.Column<Guid>(type: "TEXT", nullable: false),
                    api_key_id = table.Column<Guid>(type: "TEXT", nullable: true),
                    pii = table.Column<string>(type: "TEXT", maxLength: 32, nullable: false),
                    pii_scope = table.Column<string>(type: "TEXT", maxLength: 32, nullable: false),
                    restore_in_answers = table.Column<bool>(type: "INTEGER", nullable: false),
                    no_cross_border = table.Column<bool>(type: "INTEGER", nullable: false),
                    updated_at = table.Column<long>(type: "INTEGER", nullable: false)
                },
                constraints: table =>
                {
                    table.PrimaryKey("pk_data_policies", x => x.id);
                    table.ForeignKey(
                        name: "fk_data_policies_api_keys_api_key_id",
                        column: x => x.api_key_id,
                        principalTable: "api_keys",
                        principalColumn: "id",
                        onDelete: ReferentialAction.Cascade);
                    table.ForeignKey(
                        name: "fk_data_policies_tenants_tenant_id",
                        column: x => x.tenant_id,
                        principalTable: "tenants",
                        principalColumn: "id",
                        onDelete: ReferentialAction.Restrict);
                });

            migrationBuilder.CreateTable(
                name: "sla_credits",
                columns: table => new
                {
                    id = table.Column<Guid>(type: "TEXT", nullable: false),
                    tenant_id = table.Column<Guid>(type: "TEXT", nullable: false),
                    month = table.Column<int>(type: "INTEGER", nullable: false),
                    scope = table.Column<string>(type: "TEXT", maxLength: 40, nullable: false),
                    target_ppm = table.Column<int>(type: "INTEGER", nullable: false),
                    compensation_percent = table.Column<int>(type: "INTEGER", nullable: false),
                    max_credit_percent = table.Column<int>(type: "INTEGER", nullable: false),
                    fees_micro_yuan = table.Column<long>(type: "INTEGER", nullable: false),
                    amount_micro_yuan = table.Column<long>(type: "INTEGER", nullable: false),
                    models_json = table.Column<string>(type: "TEXT", nullable: false),
                    status = table.Column<string>(type: "TEXT", maxLength: 32, nullable: false),
                    hold_reason = table.Column<string>(type: "TEXT", maxLength: 500, nullable: true),
                    held_by = table.Column<string>(type: "TEXT", maxLength: 256, nullable: true),
                    held_at = table.Column<long>(type: "INTEGER", nullable: true),
                    computed_at = table.Column<long>(type: "INTEGER", nullable: false),
                    credited_at = table.Column<long>(type: "INTEGER", nullable: true),
                    notified_at = table.Column<long>(type: "INTEGER", nullable: true)
                },
                constraints: table =>
                {
                    table.PrimaryKey("pk_sla_credits", x => x.id);
                    table.CheckConstraint("ck_sla_credits_amount_non_negative", "amount_micro_yuan >= 0");
                    table.CheckConstraint("ck_sla_credits_fees_non_negative", "fees_micro_yuan >= 0");
                    table.ForeignKey(
                        name: "fk_sla_credits_tenants_tenant_id",
                        column: x => x.tenant_id,
                        principalTable: "tenants",
                        principalColumn: "id",
                        onDelete: ReferentialAction.Restrict);
                });

            migrationBuilder.CreateTable(
                name: "sla_policies",
                columns: table => new
                {
                    id = table.Column<Guid>(type: "TEXT", nullable: false),
                    scope = table.Column<string>(type: "TEXT", maxLength: 40, nullable: false),
                    plan_id = table.Column<Guid>(type: "TEXT", nullable: true),
                    target_ppm = table.Column<int>(type: "INTEGER", nullable: false),
                    compensation_percent = table.Column<int>(type: "INTEGER", nullable: false),
                    max_credit_percent = table.Column<int>(type: "INTEGER", nullable: false),
                    updated_at = table.Column<long>(type: "INTEGER", nullable: false),
                    updated_by = table.Column<string>(type: "TEXT", maxLength: 256, nullable: false)
                },
                constraints: table =>
                {
                    table.PrimaryKey("pk_sla_policies", x => x.id);
                    table.CheckConstraint("ck_sla_policies_compensation", "compensation_percent > 0 AND compensation_percent <= 10000");
                    table.CheckConstraint("ck_sla_policies_max_credit", "max_credit_percent > 0 AND max_credit_percent <= 1000");
                    table.CheckConstraint("ck_sla_policies_target", "target_ppm > 0 AND target_ppm <= 1000000");
                    table.ForeignKey(
                        name: "fk_sla_policies_plans_plan_id",
                        column: x => x.plan_id,
                        principalTable: "plans",
                        principalColumn: "id",
                        onDelete: ReferentialAction.Restrict);
                });

            migrationBuilder.CreateTable(
                name: "volume_discount_settings",
                columns: table => new
                {
                    id = table.Column<int>(type: "INTEGER", nullable: false),
                    plan_credit_counts = table.Column<bool>(type: "INTEGER", nullable: false),
                    updated_at = table.Column<long>(type: "INTEGER", nullable: false),
                    updated_by = table.Column<string>(type: "TEXT", maxLength: 256, nullable: false)
                },
                constraints: table =>
                {
                    table.PrimaryKey("pk_volume_discount_settings", x => x.id);
                    table.CheckConstraint("ck_volume_discount_settings_singleton", "id = 1");
                });

            migrationBuilder.CreateTable(
                name: "volume_discount_tiers",
                columns: table => new
                {
                    id = table.Column<Guid>(type: "TEXT", nullable: false),
                    minimum_spend_micro_yuan = table.Column<long>(type: "INTEGER", nullable: false),
                    rate_basis_points = table.Column<int>(type: "INTEGER", nullable: false)
                },
                constraints: table =>
                {
                    table.PrimaryKey("pk_volume_discount_tiers", x => x.id);
                    table.CheckConstraint("ck_volume_discount_tiers_minimum_positive", "minimum_spend_micro_yuan > 0");
                    table.CheckConstraint("ck_volume_discount_tiers_rate", "rate_basis_points > 0 AND rate_basis_points <= 5000");
                });

            migrationBuilder.CreateIndex(
                name: "ix_data_policies_api_key_id",
                table: "data_policies",
                column: "api_key_id",
                unique: true);

            migrationBuilder.CreateIndex(
                name: "ix_data_policies_tenant_default",
                table: "data_policies",
                column: "tenant_id",
                unique: true,
                filter: "api_key_id IS NULL");

            migrationBuilder.CreateIndex(
                name: "ix_sla_credits_month",
                table: "sla_credits",
                column: "month");

            migrationBuilder.CreateIndex(
                name: "ix_sla_credits_tenant_id_month",
                table: "sla_credits",
                columns: new[] { "tenant_id", "month" },
                unique: true);

            migrationBuilder.CreateIndex(
                name: "ix_sla_policies_plan_id",
                table: "sla_policies",
                column: "plan_id");

            migrationBuilder.CreateIndex(
                name: "ix_sla_policies_scope",
                table: "sla_policies",
                column: "scope",
                unique: true);

            migrationBuilder.CreateIndex(
                name: "ix_volume_discount_tiers_minimum_spend_micro_yuan",
                table: "volume_discount_tiers",
                column: "minimum_spend_micro_yuan",
                unique: true);
        }

        /// <inheritdoc />
        protected override void Down(MigrationBuilder migrationBuilder)
        {
            migrationBuilder.DropTable(
                name: "data_policies");

            migrationBuilder.DropTable(
                name: "sla_credits");

            migrationBuilder.DropTable(
                name: "sla_policies");

            migrationBuilder.DropTable(
                name: "volume_discount_settings");

            migrationBuilder.DropTable(
                name: "volume_discount_tiers");

            migrationBuilder.DropColumn(
                name: "channel_region",
                table: "usage_records");

            migrationBuilder.DropColumn(
                name: "pii_findings",
                table: "usage_records");

            migrationBuilder.DropColumn(
                name: "provider_country",
                table: "channels");

            migrationBuilder.DropColumn(
                name: "region",
                table: "channels");
        }
    }
}
