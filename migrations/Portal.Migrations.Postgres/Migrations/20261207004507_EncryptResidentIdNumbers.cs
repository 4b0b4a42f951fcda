using System;
using Microsoft.EntityFrameworkCore.Migrations;

#nullable disable

namespace Portal.Migrations.Postgres.Migrations
{
    /// <inheritdoc />
    public partial class EncryptResidentIdNumbers : Migration
    {
        /// <inheritdoc />
        protected override void Up(MigrationBuilder migrationBuilder)
        {
            migrationBuilder.AddColumn<string>(
                name: "id_number_hash",
                table: "kyc_submissions",
                type: "character varying(64)",
                maxLength: 64,
                nullable: true);

            migrationBuilder.AddColumn<string>(
                name: "id_number_protected",
                table: "kyc_submissions",
                type: "character varying(1024)",
                maxLength: 1024,
                nullable: true);

            migrationBuilder.CreateTable(
                name: "platform_secrets",
                columns: table => new
                {
                    name = table.Column<string>(type: "character varying(64)", maxLength: 64, nullable: false),
                    protected_value = table.Column<string>(type: "character varying(4096)", maxLength: 4096, nullable: false),
                    created_at = table.Column<DateTimeOffset>(type: "timestamp with time zone", nullable: false)
                },
                constraints: table =>
                {
                    table.PrimaryKey("pk_platform_secrets", x => x.name);
                });

            migrationBuilder.CreateIndex(
                name: "ix_kyc_submissions_id_number_hash",
                table: "kyc_submissions",
                column: "id_number_hash",
                unique: true,
                filter: "status = 'Approved'");
        }

        /// <inheritdoc />
        protected override void Down(MigrationBuilder migrationBuilder)
        {
            migrationBuilder.DropTable(
                name: "platform_secrets");

            migrationBuilder.DropIndex(
                name: "ix_kyc_submissions_id_number_hash",
                table: "kyc_submissions");

            migrationBuilder.DropColumn(
                name: "id_number_hash",
                table: "kyc_submissions");

            migrationBuilder.DropColumn(
                name: "id_number_protected",
                table: "kyc_submissions");
        }
    }
}
