using System;
using Microsoft.EntityFrameworkCore.Migrations;

#nullable disable

namespace Portal.Migrations.Postgres.Migrations
{
    /// <inheritdoc />
    public partial class DataProtectionPolicy : Migration
    {
        /// <inheritdoc />
        protected override void Up(MigrationBuilder migrationBuilder)
        {
            migrationBuilder.AddColumn<string>(
                name: "channel_region",
                table: "usage_records",
                type: "character varying(32)",
                maxLength: 32,
                nullable: true);

            migrationBuilder.AddColumn<string>(
                name: "pii_findings",
                table: "usage_records",
                type: "character varying(200)",
                maxLength: 200,
                nullable: true);

            migrationBuilder.AddColumn<string>(
                name: "provider_country",
                table: "channels",
                type: "character varying(2)",
                maxLength: 2,
                nullable: true);

            migrationBuilder.AddColumn<string>(
                name: "region",
                table: "channels",
                type: "character varying(32)",
                maxLength: 32,
                nullable: false,
                defaultValue: "Domestic");

            migrationBuilder.CreateTable(
                name: "data_policies",
                columns: table => new
                {
                    id = table.Column<Guid>(type: "uuid", nullable: false),
                    tenant_id = table.Column<Guid>(type: "uuid", nullable: false),
                    api_key_id = table.Column<Guid>(type: "uuid", nullable: true),
                    pii = table.Column<string>(type: "character varying(32)", maxLength: 32, nullable: false),
                    pii_scope = table.Column<string>(type: "character varying(32)", maxLength: 32, nullable: false),
                    restore_in_answers = table.Column<bool>(type: "boolean", nullable: false),
                    no_cross_border = table.Column<bool>(type: "boolean", nullable: false),
                    updated_at = table.Column<DateTimeOffset>(type: "timestamp with time zone", nullable: false)
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
        }

        /// <inheritdoc />
        protected override void Down(MigrationBuilder migrationBuilder)
        {
            migrationBuilder.DropTable(
                name: "data_policies");

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
